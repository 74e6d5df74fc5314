package dev.prodlike.samples.spring;

import java.io.Serializable;

/**
 * An order as the API shows it.
 *
 * @param id       its id
 * @param tenantId the tenant that owns it
 * @param email    the customer's email
 * @param status   NEW, PAID, SHIPPED or CANCELLED
 */
public record Order(long id, String tenantId, String email, String status) implements Serializable {}
