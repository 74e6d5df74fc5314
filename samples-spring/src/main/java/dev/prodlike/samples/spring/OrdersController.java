package dev.prodlike.samples.spring;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The orders API; the tenant comes from the validated token's {@code tenant_id} claim, never from the request. */
@RestController
@RequestMapping("/api/orders")
class OrdersController {

    private final OrderService orders;

    OrdersController(OrderService orders) {
        this.orders = orders;
    }

    @GetMapping
    List<Order> list(@AuthenticationPrincipal Jwt token) {
        return orders.list(tenant(token));
    }

    @GetMapping("/{id}")
    ResponseEntity<Order> get(@AuthenticationPrincipal Jwt token, @PathVariable("id") long id) {
        Order order = orders.get(tenant(token), id);
        return order == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(order);
    }

    @PostMapping
    ResponseEntity<Order> create(@AuthenticationPrincipal Jwt token, @RequestBody Map<String, String> body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(orders.create(tenant(token), body.get("email")));
    }

    @PutMapping("/{id}/status")
    ResponseEntity<Order> updateStatus(
            @AuthenticationPrincipal Jwt token, @PathVariable("id") long id, @RequestBody Map<String, String> body) {
        return ResponseEntity.of(orders.updateStatus(tenant(token), id, body.get("status")));
    }

    private static String tenant(Jwt token) {
        String tenant = token.getClaimAsString("tenant_id");
        if (tenant == null || tenant.isBlank()) {
            throw new org.springframework.security.access.AccessDeniedException("token carries no tenant_id");
        }
        return tenant;
    }
}
