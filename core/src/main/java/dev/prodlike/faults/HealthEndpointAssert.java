package dev.prodlike.faults;

import java.net.URI;
import org.apiguardian.api.API;

/**
 * Assertions about a health endpoint's answer; see {@link AbstractHealthEndpointAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class HealthEndpointAssert extends AbstractHealthEndpointAssert<HealthEndpointAssert> {

    HealthEndpointAssert(URI endpoint) {
        super(endpoint, HealthEndpointAssert.class);
    }
}
