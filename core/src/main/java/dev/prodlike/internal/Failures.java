package dev.prodlike.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.ExecutionException;

/** What a failure says in a message: the cause under the wrappers. Depends on nothing, so every class can use it. */
public final class Failures {

    private Failures() {}

    /**
     * The real cause of a failure, for messages: reflection and wrapper exceptions are unwrapped down to the first
     * throwable that says something (a {@code NoSuchFieldError} from a Jackson mismatch, a refused connection).
     *
     * @param t a failure
     * @return e.g. {@code java.lang.NoSuchFieldError: READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE}
     */
    public static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && isWrapper(c)) {
            c = c.getCause();
        }
        StringBuilder text = new StringBuilder(c.toString().strip());
        Throwable deeper = c.getCause();
        for (int depth = 0; deeper != null && deeper != c && depth < 3; depth++) {
            text.append(" (caused by ").append(deeper.toString().strip()).append(')');
            c = deeper;
            deeper = c.getCause();
        }
        return text.toString().replaceAll("\\s*\\n\\s*", " ");
    }

    private static boolean isWrapper(Throwable t) {
        String name = t.getClass().getSimpleName();
        return t instanceof InvocationTargetException
                || t instanceof ExceptionInInitializerError
                || t instanceof UndeclaredThrowableException
                || t instanceof ExecutionException
                || name.equals("UncheckedExecutionException")
                || t.getMessage() == null
                || (t.getClass() == RuntimeException.class
                        && t.getCause() != null
                        && t.getMessage().equals(t.getCause().toString()));
    }
}
