package dev.prodlike.samples;

/**
 * Who a request runs for, taken from a verified token (or the session it opened).
 *
 * @param tenant  the tenant, from the token's tenant claim; everything the request does is scoped to it
 * @param subject the user ({@code sub})
 * @since 0.1.0
 */
public record Caller(String tenant, String subject) {}
