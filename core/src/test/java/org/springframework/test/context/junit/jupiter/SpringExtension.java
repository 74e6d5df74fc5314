package org.springframework.test.context.junit.jupiter;

import org.junit.jupiter.api.extension.Extension;

/**
 * Stands in for Spring's extension (same name, does nothing): core's tests have no Spring, and the check for a missing
 * prodlike-spring recognises a Spring test by this class name.
 */
public class SpringExtension implements Extension {}
