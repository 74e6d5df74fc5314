package dev.prodlike.samples;

import java.math.BigDecimal;
import java.util.List;

/**
 * An order of one tenant, with its lines.
 *
 * @param id            the order id
 * @param customerEmail who ordered
 * @param status        NEW, PAID, SHIPPED or CANCELLED
 * @param lines         the lines
 * @param total         sum of quantity times unit price
 * @since 0.1.0
 */
public record Order(long id, String customerEmail, String status, List<Line> lines, BigDecimal total) {

    /** Order states the schema accepts. */
    public static final List<String> STATUSES = List.of("NEW", "PAID", "SHIPPED", "CANCELLED");

    /**
     * One line of an order.
     *
     * @param sku       the article
     * @param quantity  how many, at least one
     * @param unitPrice price of one
     */
    public record Line(String sku, int quantity, BigDecimal unitPrice) {}

    /**
     * What a client sends to create an order.
     *
     * @param customerEmail who orders
     * @param lines         at least one line
     */
    public record New(String customerEmail, List<Line> lines) {}

    /**
     * An order as listed: no lines, their count and total.
     *
     * @param id            the order id
     * @param customerEmail who ordered
     * @param status        the status
     * @param lineCount     number of lines
     * @param total         sum of quantity times unit price
     */
    public record Summary(long id, String customerEmail, String status, long lineCount, BigDecimal total) {}
}
