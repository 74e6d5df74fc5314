package dev.prodlike.samples.spring;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.prodlike.jwt.TestTokens;
import jakarta.servlet.Filter;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * MockMvc over the service's real web layer and security filter chain (built by hand, so the same test code runs on
 * Spring Boot 3.5 and 4.0, whose MockMvc auto-configuration lives in different packages).
 */
final class Api {

    private Api() {}

    static MockMvc mockMvc(WebApplicationContext context) {
        return MockMvcBuilders.webAppContextSetup(context)
                .addFilters(context.getBean("springSecurityFilterChain", Filter.class))
                .build();
    }

    static String bearer(TestTokens tokens, String tenant) {
        return "Bearer " + tokens.forTenant(tenant).subject("user@" + tenant).sign();
    }

    static MockHttpServletRequestBuilder list(String authorization) {
        return get("/api/orders").header("Authorization", authorization);
    }

    static MockHttpServletRequestBuilder order(String authorization, long id) {
        return get("/api/orders/{id}", id).header("Authorization", authorization);
    }

    static MockHttpServletRequestBuilder create(String authorization, String email) {
        return post("/api/orders")
                .header("Authorization", authorization)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"email\":\"" + email + "\"}");
    }

    static MockHttpServletRequestBuilder status(String authorization, long id, String status) {
        return put("/api/orders/{id}/status", id)
                .header("Authorization", authorization)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"status\":\"" + status + "\"}");
    }
}
