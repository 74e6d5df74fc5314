package dev.prodlike.internal;

import java.lang.annotation.Annotation;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The one annotation lookup every prodlike extension uses: the test method, then the test class, then its enclosing
 * classes (a {@code @Nested} class inherits the annotation of the class around it). Each step finds the annotation
 * directly present, meta-present or inherited ({@link AnnotationSupport#findAnnotation}).
 */
public final class Annotations {

    private Annotations() {}

    /**
     * @param context the current extension context (method or class level)
     * @param type    the annotation
     * @param <A>     its type
     * @return the annotation on the test method, else on the test class or its nearest enclosing class that has one
     */
    public static <A extends Annotation> Optional<A> nearest(ExtensionContext context, Class<A> type) {
        Optional<A> onMethod = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, type));
        return onMethod.isPresent() ? onMethod : onClass(context.getTestClass().orElse(null), type);
    }

    /**
     * @param testClass the test class, or null
     * @param type      the annotation
     * @param <A>       its type
     * @return the annotation on the class or its nearest enclosing class that has one
     */
    public static <A extends Annotation> Optional<A> onClass(Class<?> testClass, Class<A> type) {
        return annotatedClass(testClass, type).flatMap(c -> AnnotationSupport.findAnnotation(c, type));
    }

    /**
     * @param testClass the test class, or null
     * @param type      the annotation
     * @return the class itself or its nearest enclosing class that carries the annotation
     */
    public static Optional<Class<?>> annotatedClass(Class<?> testClass, Class<? extends Annotation> type) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            if (AnnotationSupport.isAnnotated(c, type)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
