package dev.prodlike.spring.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import javax.sql.DataSource;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.Ordered;

/**
 * Replaces the application's {@code DataSource} beans (and Lettuce {@code RedisConnectionFactory} beans) by routing
 * ones once they are initialised. A bean the application declares itself is replaced only when it is declared as
 * {@code DataSource}: one declared as a concrete pool type may be injected as that type, which no stand-in can be.
 */
final class RoutingPostProcessor implements BeanPostProcessor, Ordered {

    static final boolean SPRING_DATA_REDIS = present("org.springframework.data.redis.connection.RedisConnectionFactory")
            && present("dev.prodlike.redis.RedisEnvironment");

    private final ConfigurableListableBeanFactory beanFactory;
    private final TestRouting routing;
    private final boolean postgres;
    private final boolean redis;

    RoutingPostProcessor(
            ConfigurableListableBeanFactory beanFactory, TestRouting routing, boolean postgres, boolean redis) {
        this.beanFactory = beanFactory;
        this.routing = routing;
        this.postgres = postgres;
        this.redis = redis;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (postgres
                && bean instanceof DataSource ds
                && !(Proxy.isProxyClass(bean.getClass())
                        && Proxy.getInvocationHandler(bean) instanceof RoutingDataSource)) {
            checkReplaceable(beanName, ds);
            return RoutingDataSource.wrap(beanName, ds, routing);
        }
        if (redis && RedisCheck.isConnectionFactory(bean)) {
            return RoutingRedisConnectionFactory.wrap(beanName, bean, routing);
        }
        return bean;
    }

    private void checkReplaceable(String beanName, DataSource bean) {
        Class<?> declared;
        String where;
        try {
            BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
            Method factoryMethod =
                    definition instanceof RootBeanDefinition root ? root.getResolvedFactoryMethod() : null;
            if (factoryMethod != null) {
                if (factoryMethod.getDeclaringClass().getName().startsWith("org.springframework.boot.")) {
                    return; // Spring Boot's own, from spring.datasource.*: injected as DataSource
                }
                declared = factoryMethod.getReturnType();
                where = factoryMethod.getDeclaringClass().getName() + "." + factoryMethod.getName() + "()";
            } else {
                declared = bean.getClass();
                where = definition.getResourceDescription() != null
                        ? definition.getResourceDescription()
                        : declared.getName();
            }
        } catch (NoSuchBeanDefinitionException e) {
            return; // registered as a singleton instance: nobody declared a type for it
        }
        if (declared.isInterface()) {
            return; // the stand-in implements every interface of the bean it replaces
        }
        throw new BeanCreationException(
                beanName,
                "@ProductionLikeDatabase cannot replace the application's"
                        + " DataSource bean '" + beanName + "' declared as " + declared.getName() + " (" + where + "):"
                        + " prodlike puts a DataSource in its place that connects as the app role to the current test's"
                        + " database, and a bean declared as a concrete pool type may be injected as that type.\nDeclare it as"
                        + " DataSource:\n    @Bean DataSource " + beanName + "(...)\nor let Spring Boot create it from"
                        + " spring.datasource.* (no DataSource @Bean).");
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, RoutingPostProcessor.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when Spring Data Redis is present. */
    private static final class RedisCheck {
        static boolean isConnectionFactory(Object bean) {
            return bean instanceof org.springframework.data.redis.connection.RedisConnectionFactory
                    && !(Proxy.isProxyClass(bean.getClass())
                            && Proxy.getInvocationHandler(bean) instanceof RoutingRedisConnectionFactory);
        }
    }
}
