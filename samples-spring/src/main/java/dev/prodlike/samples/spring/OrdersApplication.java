package dev.prodlike.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/** The orders service. */
@SpringBootApplication
@EnableCaching
public class OrdersApplication {

    /**
     * Starts the service.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
