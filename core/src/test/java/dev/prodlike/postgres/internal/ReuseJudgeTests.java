package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reuse judge's decisions, without a server: what a returned database's state alone tells
 * ({@link ReuseJudge#screen}), and whether and how its tables and sequences can be made fresh again
 * ({@link DatabaseReset#plan}).
 */
class ReuseJudgeTests {

    static final String XMIN = "742";
    /** A database last fresh with 10 rows written in total, 10 of them into table 100. */
    static final Baseline BASE = new Baseline(10, 0, Map.of(100L, 10L), Map.of(700L, 1L));

    static final DatabaseState QUIET = new DatabaseState(0, 10, null, XMIN, 0, 0, 0, 0);

    static Stream<Arguments> screenings() {
        return Stream.of(
                arguments("nothing happened", QUIET, XMIN, true, ReuseJudge.Screening.LOOK_CLOSER),
                arguments(
                        "a connection is left",
                        state(1, 10, null, XMIN, 0, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.BUSY),
                arguments(
                        "rows were written, a reset may undo them",
                        state(0, 13, null, XMIN, 0, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.LOOK_CLOSER),
                arguments(
                        "rows were written, no template facts to reset with",
                        state(0, 13, null, XMIN, 0, 0, 0, 0),
                        XMIN,
                        false,
                        ReuseJudge.Screening.CHANGED),
                arguments(
                        "the statistics were reset",
                        state(0, 10, "2026-01-01", XMIN, 0, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments(
                        "no statistics at all",
                        state(0, -1, null, XMIN, 0, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments(
                        "a per-database setting",
                        state(0, 10, null, XMIN, 1, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments("a comment", state(0, 10, null, XMIN, 0, 1, 0, 0), XMIN, true, ReuseJudge.Screening.CHANGED),
                arguments(
                        "a security label",
                        state(0, 10, null, XMIN, 0, 0, 1, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments(
                        "a prepared transaction",
                        state(0, 10, null, XMIN, 0, 0, 0, 1),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments(
                        "its pg_database row changed",
                        state(0, 10, null, "743", 0, 0, 0, 0),
                        XMIN,
                        true,
                        ReuseJudge.Screening.CHANGED),
                arguments("its fresh row version is unknown", QUIET, null, true, ReuseJudge.Screening.CHANGED));
    }

    @ParameterizedTest(name = "{0}: {4}")
    @MethodSource("screenings")
    void screensTheDatabasesState(
            String what, DatabaseState state, String freshXmin, boolean canReset, ReuseJudge.Screening expected) {
        assertThat(ReuseJudge.screen(state, freshXmin, BASE, canReset)).isEqualTo(expected);
    }

    static DatabaseState state(
            long connections,
            long writes,
            String statsReset,
            String xmin,
            long settings,
            long comments,
            long labels,
            long prepared) {
        return new DatabaseState(connections, writes, statsReset, xmin, settings, comments, labels, prepared);
    }

    /**
     * The template: tables 100 (TOAST 101) and 200 empty, 300 empty and pointing at 200, 400 seeded, 500 empty but
     * pointed at by the seeded 600; sequence 700 at 1/false. Sequence 800 and table 900 are not the template's.
     */
    static final TemplateFacts FACTS = new TemplateFacts(
            Map.of(100L, 100L, 101L, 100L, 200L, 200L, 300L, 300L, 500L, 500L),
            Map.of(200L, List.of(300L), 500L, List.of(600L)),
            Map.of(
                    100L,
                    "public.notes",
                    200L,
                    "public.attachments",
                    300L,
                    "public.attachment_links",
                    500L,
                    "public.files",
                    700L,
                    "public.notes_id_seq"),
            Map.of(700L, new SequenceState(1, false)));

    static Stream<Arguments> plans() {
        Set<Long> none = Set.of();
        return Stream.of(
                arguments(
                        "nothing written or read",
                        counts(Map.of(100L, 10L), Map.of(700L, 1L), 0, 10),
                        FACTS,
                        0L,
                        Verdict.UNCHANGED,
                        none,
                        List.of()),
                arguments(
                        "a vacuum or analyse",
                        counts(Map.of(100L, 10L), Map.of(700L, 1L), 1, 10),
                        FACTS,
                        0L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "fewer sequence reads than before",
                        counts(Map.of(100L, 10L), Map.of(700L, 0L), 0, 10),
                        FACTS,
                        0L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "rows in a template-empty table",
                        counts(Map.of(100L, 13L), Map.of(700L, 1L), 0, 13),
                        FACTS,
                        3L,
                        null,
                        Set.of(100L),
                        List.of()),
                arguments(
                        "rows in its TOAST table",
                        counts(Map.of(100L, 11L, 101L, 2L), Map.of(700L, 1L), 0, 13),
                        FACTS,
                        3L,
                        null,
                        Set.of(100L),
                        List.of()),
                arguments(
                        "rows in a table another empty table points at",
                        counts(Map.of(100L, 10L, 200L, 1L), Map.of(700L, 1L), 0, 11),
                        FACTS,
                        1L,
                        null,
                        Set.of(200L, 300L),
                        List.of()),
                arguments(
                        "rows in a table a seeded table points at",
                        counts(Map.of(100L, 10L, 500L, 1L), Map.of(700L, 1L), 0, 11),
                        FACTS,
                        1L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "rows in a seeded table",
                        counts(Map.of(100L, 10L, 400L, 1L), Map.of(700L, 1L), 0, 11),
                        FACTS,
                        1L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "rows in a table the test created",
                        counts(Map.of(100L, 10L, 900L, 1L), Map.of(700L, 1L), 0, 11),
                        FACTS,
                        1L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "more rows counted than the tables show (a shared catalog)",
                        counts(Map.of(100L, 13L), Map.of(700L, 1L), 0, 15),
                        FACTS,
                        5L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "fewer rows in a table than before",
                        counts(Map.of(100L, 9L), Map.of(700L, 1L), 0, 10),
                        FACTS,
                        1L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "a template sequence was read",
                        counts(Map.of(100L, 10L), Map.of(700L, 2L), 0, 10),
                        FACTS,
                        0L,
                        null,
                        none,
                        List.of(700L)),
                arguments(
                        "a sequence the test created was read",
                        counts(Map.of(100L, 10L), Map.of(700L, 1L, 800L, 1L), 0, 10),
                        FACTS,
                        0L,
                        Verdict.CHANGED,
                        none,
                        List.of()),
                arguments(
                        "rows written, template facts unknown",
                        counts(Map.of(100L, 13L), Map.of(700L, 1L), 0, 13),
                        null,
                        3L,
                        Verdict.CHANGED,
                        none,
                        List.of()));
    }

    @ParameterizedTest(name = "{0}: {4} {5} {6}")
    @MethodSource("plans")
    void plansAResetOnlyWhenItProvablyRestoresTheTemplate(
            String what,
            RelationCounts now,
            TemplateFacts facts,
            long written,
            Verdict decided,
            Set<Long> truncate,
            List<Long> sequences) {
        DatabaseReset.Plan plan = DatabaseReset.plan(now, BASE, facts, written);
        assertThat(plan.decided()).isEqualTo(decided);
        assertThat(plan.truncate())
                .containsExactlyElementsOf(truncate.stream().sorted().toList());
        assertThat(plan.sequences()).containsExactlyElementsOf(sequences);
    }

    static RelationCounts counts(
            Map<Long, Long> writes, Map<Long, Long> sequenceReads, long maintenance, long database) {
        return new RelationCounts(writes, sequenceReads, maintenance, database);
    }

    @Test
    void sendsTheResetAsOneTransaction() {
        DatabaseReset.Plan plan =
                DatabaseReset.plan(counts(Map.of(100L, 10L, 200L, 1L), Map.of(700L, 2L), 0, 11), BASE, FACTS, 1L);
        assertThat(DatabaseReset.sql(plan, FACTS))
                .startsWith("BEGIN; TRUNCATE ONLY public.attachments,"
                        + " public.attachment_links; SELECT pg_catalog.setval(700::pg_catalog.oid::pg_catalog.regclass, 1,"
                        + " false) FROM public.notes_id_seq WHERE last_value <> 1 OR is_called <> false; SELECT t.oid")
                .endsWith("; COMMIT");
    }
}
