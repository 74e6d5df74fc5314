/** Benchmarks: run with mvn -pl benchmarks -am verify -Pbench. @since 0.1.0 */
package dev.prodlike.benchmarks;
