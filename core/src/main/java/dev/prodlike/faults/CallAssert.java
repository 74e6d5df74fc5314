package dev.prodlike.faults;

import org.apiguardian.api.API;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Assertions about one call of the code under test; see {@link AbstractCallAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class CallAssert extends AbstractCallAssert<CallAssert> {

    CallAssert(ThrowingCallable call) {
        super(call, CallAssert.class);
    }
}
