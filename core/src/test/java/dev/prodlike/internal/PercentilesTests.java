package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PercentilesTests {

    @ParameterizedTest(name = "p{1} of 1..{0} is {2}")
    @CsvSource({
        "1, 50, 1",
        "1, 99, 1",
        "2, 50, 1",
        "4, 50, 2",
        "5, 50, 3",
        // the p99 of few values is the largest: no value below it covers 99 %
        "10, 99, 10",
        "99, 99, 99",
        "100, 99, 99",
        "101, 99, 100",
        "200, 99, 198",
        "1000, 99, 990",
        "100, 100, 100",
        "100, 1, 1"
    })
    void isTheValueAtTheNearestRank(int count, int percent, long expected) {
        long[] sorted = LongStream.rangeClosed(1, count).toArray();
        assertThat(Percentiles.nearestRank(sorted, percent)).isEqualTo(expected);
    }

    @Test
    void ofNothingIsZero() {
        assertThat(Percentiles.nearestRank(new long[0], 99)).isZero();
    }

    @Test
    void sortsWhatItIsGiven() {
        assertThat(Percentiles.sorted(List.of(5L, 1L, 3L))).containsExactly(1, 3, 5);
    }

    @Test
    void refusesAPercentOutsideOneToHundred() {
        assertThatThrownBy(() -> Percentiles.nearestRank(new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percent must be 1 to 100, not 0");
    }
}
