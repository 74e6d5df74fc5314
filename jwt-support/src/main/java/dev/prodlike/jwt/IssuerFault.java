package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * One fault on the issuer's HTTP endpoints, active from its creation until {@link #close()}: use it in a
 * try-with-resources block. A fault still active when its {@link JwtIssuer} scope ends (or, for a class-level issuer,
 * when the test that started it ends) is ended then, so a forgotten fault never reaches the next test.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface IssuerFault extends AutoCloseable {

    /** Ends the fault; the endpoints answer normally again unless another fault is active. Idempotent. */
    @Override
    void close();

    /** @return whether the fault is still active */
    boolean isActive();
}
