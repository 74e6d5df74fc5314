package dev.prodlike.samples.spring;

import java.util.List;
import java.util.Optional;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Orders of one tenant at a time: every method scopes its transaction to the caller's tenant first. */
@Service
public class OrderService {

    private final OrderRepository orders;
    private final TenantScope tenants;

    OrderService(OrderRepository orders, TenantScope tenants) {
        this.orders = orders;
        this.tenants = tenants;
    }

    /**
     * @param tenant the caller's tenant
     * @return its orders
     */
    @Transactional(readOnly = true)
    public List<Order> list(String tenant) {
        tenants.enter(tenant);
        return orders.findAll();
    }

    /**
     * Cached in Redis under {@code orders::<tenant>:<id>}.
     *
     * @param tenant the caller's tenant
     * @param id     an order id
     * @return the order, if the tenant has it
     */
    @Cacheable(cacheNames = "orders", key = "#tenant + ':' + #id", unless = "#result == null")
    @Transactional(readOnly = true)
    public Order get(String tenant, long id) {
        tenants.enter(tenant);
        return orders.findById(id).orElse(null);
    }

    /**
     * @param tenant the caller's tenant
     * @param email  the customer
     * @return the new order
     */
    @Transactional
    public Order create(String tenant, String email) {
        tenants.enter(tenant);
        return orders.insert(tenant, email);
    }

    /**
     * Evicts the cached order.
     *
     * @param tenant the caller's tenant
     * @param id     an order id
     * @param status the new status
     * @return the updated order, if the tenant has it
     */
    @CacheEvict(cacheNames = "orders", key = "#tenant + ':' + #id")
    @Transactional
    public Optional<Order> updateStatus(String tenant, long id, String status) {
        tenants.enter(tenant);
        return orders.updateStatus(id, status) ? orders.findById(id) : Optional.empty();
    }
}
