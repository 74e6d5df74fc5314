package dev.prodlike.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Orders with a Redis cache-aside in front of PostgreSQL.
 *
 * <p>Reads of one order look in Redis first ({@code order:<tenant>:<id>}, JSON, with a TTL) and fill it from the
 * database on a miss; a change deletes the entry after the transaction commits. The tenant is part of the key, so a
 * cache entry can never answer another tenant. When Redis is unavailable reads come from the database and changes
 * still succeed; an invalidation lost that way is bounded by the entry's TTL.
 *
 * @since 0.1.0
 */
public final class OrderService {

    /** How long a cached order lives at most. */
    public static final Duration CACHE_TTL = Duration.ofMinutes(10);

    private final OrderRepository repository;
    private final RedisGateway redis;
    private final ObjectMapper json;

    /**
     * @param repository the database
     * @param redis      the cache
     * @param json       serialises cache entries
     */
    public OrderService(OrderRepository repository, RedisGateway redis, ObjectMapper json) {
        this.repository = repository;
        this.redis = redis;
        this.json = json;
    }

    /**
     * @param tenant a tenant
     * @param id     an order id
     * @return the cache key of that order
     */
    public static String cacheKey(String tenant, long id) {
        return "order:" + tenant + ":" + id;
    }

    /**
     * @param tenant the tenant
     * @return its orders, always from the database
     * @throws SQLException when the database fails
     */
    public List<Order.Summary> list(String tenant) throws SQLException {
        return repository.findAll(tenant);
    }

    /**
     * @param tenant the tenant
     * @param id     an order id
     * @return the order, from the cache when there
     * @throws SQLException when the database fails
     */
    public Optional<Order> find(String tenant, long id) throws SQLException {
        String key = cacheKey(tenant, id);
        Optional<String> cached = redis.call(c -> Optional.ofNullable(c.get(key)), Optional::empty);
        if (cached.isPresent()) {
            return Optional.of(read(cached.get()));
        }
        Optional<Order> order = repository.findById(tenant, id);
        order.ifPresent(o -> redis.call(c -> c.set(key, write(o), SetArgs.Builder.ex(CACHE_TTL)), () -> null));
        return order;
    }

    /**
     * @param tenant the tenant
     * @param order  what to create
     * @return the created order (not cached until first read)
     * @throws SQLException when the database fails
     */
    public Order create(String tenant, Order.New order) throws SQLException {
        return repository.create(tenant, order);
    }

    /**
     * @param tenant the tenant
     * @param id     an order id
     * @param status the new status
     * @return the updated order, empty when the tenant has no such order
     * @throws SQLException when the database fails
     */
    public Optional<Order> updateStatus(String tenant, long id, String status) throws SQLException {
        Optional<Order> updated = repository.updateStatus(tenant, id, status);
        if (updated.isPresent()) {
            String key = cacheKey(tenant, id);
            redis.call(c -> c.del(key), () -> 0L); // after commit: a reader can no longer refill the old state
        }
        return updated;
    }

    private Order read(String value) {
        try {
            return json.readValue(value, Order.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable cache entry", e);
        }
    }

    private String write(Order order) {
        try {
            return json.writeValueAsString(order);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
