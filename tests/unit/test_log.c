/* Logging and error tests: PARALLAX_DEBUG specs (from the environment on first
 * use, or px_log_configure), per-category levels, the PX_LOG_HOOK that routes
 * messages, px_error_* / px_status_str, and what a pipeline logs at level 3.
 *
 * The hook is defined before the include, so every message the runtime logs
 * lands in capture(). It needs only basic types. */

static void capture(int level, const char *category, const char *message);
#define PX_LOG_HOOK(level, cat, msg) capture((level), (cat), (msg))

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- The capturing hook -------------------------------------------------- */

#define CAPTURE_MAX 128
typedef struct {
    int level;
    char category[32];
    char message[600];
} captured;

static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static captured captures[CAPTURE_MAX];
static int n_captures;
static int n_overflow;

static void capture(int level, const char *category, const char *message)
{
    pthread_mutex_lock(&capture_lock);
    if (n_captures < CAPTURE_MAX) {
        captured *c = &captures[n_captures++];
        c->level = level;
        snprintf(c->category, sizeof c->category, "%s", category);
        snprintf(c->message, sizeof c->message, "%s", message);
    } else {
        n_overflow++;
    }
    pthread_mutex_unlock(&capture_lock);
}

static void capture_reset(void)
{
    pthread_mutex_lock(&capture_lock);
    n_captures = 0;
    n_overflow = 0;
    pthread_mutex_unlock(&capture_lock);
}

static int capture_count(void)
{
    pthread_mutex_lock(&capture_lock);
    int n = n_captures;
    pthread_mutex_unlock(&capture_lock);
    return n;
}

/* Index of the first capture with this level, category and exact message, or -1. */
static int capture_find(int level, const char *category, const char *message)
{
    int found = -1;
    pthread_mutex_lock(&capture_lock);
    for (int i = 0; i < n_captures && found < 0; i++)
        if (captures[i].level == level && strcmp(captures[i].category, category) == 0 &&
            strcmp(captures[i].message, message) == 0)
            found = i;
    pthread_mutex_unlock(&capture_lock);
    return found;
}

static int capture_count_category(const char *category)
{
    int n = 0;
    pthread_mutex_lock(&capture_lock);
    for (int i = 0; i < n_captures; i++)
        n += strcmp(captures[i].category, category) == 0;
    pthread_mutex_unlock(&capture_lock);
    return n;
}

static void configure_ok(const char *spec)
{
    if (px_log_configure(spec) != PX_OK)
        fail_msg("px_log_configure(\"%s\") refused", spec ? spec : "(null)");
}

/* ---- Environment: must be the first test that logs ------------------------ */

/* A bad PARALLAX_DEBUG is reported on stderr and the default (2) stays. Runs
 * in a child forked before anything in this process logged. Exit status: 0
 * ok, else the number of the failed check. */
static int child_with_bad_environment(void)
{
    setenv("PARALLAX_DEBUG", "2,arena:zz", 1);
    PX_INFO("envtest", "info %d", 1);
    if (capture_count() != 0)
        return 1;
    PX_WARN("envtest", "warn %d", 2);
    if (capture_count() != 1 || capture_find(PX_LOG_WARNING, "envtest", "warn 2") != 0)
        return 2;
    if (px_log_enabled(PX_LOG_DEBUG, "arena"))
        return 3;
    return 0;
}

static void environment_is_read_on_first_use(void **state)
{
    (void)state;
    assert_int_equal(capture_count(), 0);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pipefd[0]);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[1]);
        int rc = child_with_bad_environment();
        fflush(stderr);
        _exit(rc);
    }
    close(pipefd[1]);
    char text[512] = "";
    size_t len = 0;
    for (ssize_t n; len < sizeof text - 1 && (n = read(pipefd[0], text + len, sizeof text - 1 - len)) > 0;)
        len += (size_t)n;
    text[len] = '\0';
    close(pipefd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(text,
                        "parallax: ignoring bad PARALLAX_DEBUG='2,arena:zz' (expected e.g. \"2,arena:5\")\n");

    /* This process: a good spec read on the first log call. */
    setenv("PARALLAX_DEBUG", "1,envcat:4,arena:3", 1);
    PX_WARN("other", "not shown");
    PX_ERR("other", "error %s", "shown");
    PX_DEBUG("envcat", "debug %d", 7);
    PX_INFO("arena", "info in arena");
    PX_DEBUG("arena", "debug in arena");
    assert_int_equal(capture_count(), 3);
    assert_int_equal(capture_find(PX_LOG_ERROR, "other", "error shown"), 0);
    assert_int_equal(capture_find(PX_LOG_DEBUG, "envcat", "debug 7"), 1);
    assert_int_equal(capture_find(PX_LOG_INFO, "arena", "info in arena"), 2);

    /* Read once: changing the environment later has no effect. */
    setenv("PARALLAX_DEBUG", "5", 1);
    capture_reset();
    PX_WARN("other", "still not shown");
    assert_int_equal(capture_count(), 0);
    assert_false(px_log_enabled(PX_LOG_WARNING, "other"));
    assert_true(px_log_enabled(PX_LOG_DEBUG, "envcat"));
    unsetenv("PARALLAX_DEBUG");
}

/* ---- px_log_configure ---------------------------------------------------- */

static void level_2_shows_warnings_not_info(void **state)
{
    (void)state;
    configure_ok("2");
    capture_reset();
    PX_ERR("pipeline", "e");
    PX_WARN("pipeline", "w");
    PX_INFO("pipeline", "i");
    PX_DEBUG("pipeline", "d");
    PX_TRACE("pipeline", "t");
    assert_int_equal(capture_count(), 2);
    assert_int_equal(capture_find(PX_LOG_ERROR, "pipeline", "e"), 0);
    assert_int_equal(capture_find(PX_LOG_WARNING, "pipeline", "w"), 1);
    assert_true(px_log_enabled(PX_LOG_WARNING, "anything"));
    assert_false(px_log_enabled(PX_LOG_INFO, "anything"));
}

static void category_level_overrides_the_default(void **state)
{
    (void)state;
    configure_ok("1,arena:5");
    capture_reset();
    PX_DEBUG("arena", "arena debug %d", 1);
    PX_DEBUG("pipeline", "pipeline debug");
    PX_WARN("pipeline", "pipeline warning");
    PX_ERR("pipeline", "pipeline error");
    assert_int_equal(capture_count(), 2);
    assert_int_equal(capture_find(PX_LOG_DEBUG, "arena", "arena debug 1"), 0);
    assert_int_equal(capture_find(PX_LOG_ERROR, "pipeline", "pipeline error"), 1);
    /* Trace passes the run-time filter; the default build's ceiling (4) stops it. */
    assert_true(px_log_enabled(PX_LOG_TRACE, "arena"));
    capture_reset();
    PX_TRACE("arena", "trace");
    assert_int_equal(capture_count(), CONFIG_PX_LOG_LEVEL >= PX_LOG_TRACE ? 1 : 0);
    /* Categories match whole names only. */
    assert_false(px_log_enabled(PX_LOG_DEBUG, "aren"));
    assert_false(px_log_enabled(PX_LOG_DEBUG, "arenas"));
}

static void runtime_messages_follow_their_category(void **state)
{
    (void)state;
    px_error err = {0};
    px_arena *a = NULL;
    configure_ok("1,arena:4");
    capture_reset();
    assert_int_equal(px_arena_create(&a, "logged", 4096, 4, PX_ARENA_BACKING_HEAP, &err), PX_OK);
    px_arena_destroy(a);
    assert_int_equal(capture_count(), CONFIG_PX_LOG_LEVEL >= PX_LOG_DEBUG ? 1 : 0);
    if (CONFIG_PX_LOG_LEVEL >= PX_LOG_DEBUG) {
        const char *prefix = "arena \"logged\": 4 slots of 4096 bytes (heap), control ";
        assert_int_equal(captures[0].level, PX_LOG_DEBUG);
        assert_string_equal(captures[0].category, "arena");
        assert_memory_equal(captures[0].message, prefix, strlen(prefix));
        assert_string_equal(captures[0].message + strlen(captures[0].message) - strlen(" bytes"), " bytes");
    }
    configure_ok("1,arena:3");
    capture_reset();
    assert_int_equal(px_arena_create(&a, "quiet", 4096, 4, PX_ARENA_BACKING_HEAP, &err), PX_OK);
    px_arena_destroy(a);
    assert_int_equal(capture_count(), 0);
}

static void bad_specs_are_einval_and_keep_the_previous_configuration(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "x", "2,:3", "2,arena:", "2,arena:9x", "22", "-1", "2,arena", "2,,arena:3", ",",
        "2,arena:5:5", "2,a-category-name-too-long:3",
    };
    configure_ok("1,arena:5");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (px_log_configure(bad[i]) != PX_EINVAL)
            fail_msg("spec \"%s\" was accepted", bad[i]);
        assert_true(px_log_enabled(PX_LOG_TRACE, "arena"));
        assert_true(px_log_enabled(PX_LOG_ERROR, "pipeline"));
        assert_false(px_log_enabled(PX_LOG_WARNING, "pipeline"));
    }
    capture_reset();
    PX_DEBUG("arena", "after bad specs");
    PX_WARN("pipeline", "hidden");
    assert_int_equal(capture_count(), 1);
    assert_int_equal(capture_find(PX_LOG_DEBUG, "arena", "after bad specs"), 0);
}

static void category_table_holds_16_and_refuses_17(void **state)
{
    (void)state;
    char spec[512] = "0";
    for (int i = 0; i < 16; i++) {
        size_t len = strlen(spec);
        snprintf(spec + len, sizeof spec - len, ",cat%d:%d", i, i % 6);
    }
    configure_ok(spec);
    for (int i = 0; i < 16; i++) {
        char name[16];
        snprintf(name, sizeof name, "cat%d", i);
        assert_true(px_log_enabled(i % 6, name));
        assert_int_equal(px_log_enabled(i % 6 + 1, name), 0);
    }
    assert_false(px_log_enabled(PX_LOG_ERROR, "uncategorized"));
    strcat(spec, ",cat16:1");
    assert_int_equal(px_log_configure(spec), PX_EINVAL);
    assert_true(px_log_enabled(5, "cat5")); /* the 16-entry table is still in force */
    assert_false(px_log_enabled(PX_LOG_ERROR, "cat16"));
}

static void levels_above_5_clamp_and_empty_spec_restores_the_default(void **state)
{
    (void)state;
    configure_ok("9");
    assert_true(px_log_enabled(PX_LOG_TRACE, "x"));
    assert_false(px_log_enabled(PX_LOG_TRACE + 1, "x"));
    configure_ok("0");
    assert_false(px_log_enabled(PX_LOG_ERROR, "x"));
    configure_ok("");
    assert_true(px_log_enabled(PX_LOG_WARNING, "x"));
    assert_false(px_log_enabled(PX_LOG_INFO, "x"));
    configure_ok("0");
    assert_int_equal(px_log_configure(NULL), PX_OK);
    assert_true(px_log_enabled(PX_LOG_WARNING, "x"));
    assert_false(px_log_enabled(PX_LOG_INFO, "x"));
    /* The last plain level wins; a category never changes the default. */
    configure_ok("1,arena:4,3");
    assert_true(px_log_enabled(PX_LOG_INFO, "x"));
    assert_false(px_log_enabled(PX_LOG_DEBUG, "x"));
    assert_true(px_log_enabled(PX_LOG_DEBUG, "arena"));
}

/* ---- The hook ------------------------------------------------------------ */

static void hook_receives_the_formatted_text_exactly(void **state)
{
    (void)state;
    configure_ok("4");
    capture_reset();
    PX_WARN("fmt", "%s=%d [%5.2f] %% %c|%-4s|%03u", "key", -42, 3.14159, 'z', "ab", 7u);
    PX_INFO("fmt", "no arguments");
    PX_DEBUG("fmt", "%s", "");
    assert_int_equal(capture_count(), 3);
    assert_int_equal(capture_find(PX_LOG_WARNING, "fmt", "key=-42 [ 3.14] % z|ab  |007"), 0);
    assert_int_equal(capture_find(PX_LOG_INFO, "fmt", "no arguments"), 1);
    assert_int_equal(capture_find(PX_LOG_DEBUG, "fmt", ""), 2);

    /* px_log_write formats into 512 bytes: longer text arrives cut to 511. */
    char long_text[700];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    capture_reset();
    PX_WARN("fmt", "%s", long_text);
    assert_int_equal(capture_count(), 1);
    assert_int_equal(strlen(captures[0].message), 511);
    assert_memory_equal(captures[0].message, long_text, 511);
}

static void disabled_messages_do_not_evaluate_their_arguments(void **state)
{
    (void)state;
    int evaluated = 0;
    configure_ok("2");
    capture_reset();
    PX_INFO("side", "%d", ++evaluated);
    PX_DEBUG("side", "%d", ++evaluated);
    assert_int_equal(evaluated, 0);
    PX_WARN("side", "%d", ++evaluated);
    assert_int_equal(evaluated, 1);
    assert_int_equal(capture_find(PX_LOG_WARNING, "side", "1"), 0);
    assert_int_equal(capture_count(), 1);
}

/* ---- px_error and px_status_str ----------------------------------------- */

static void error_set_fills_the_error_and_returns_the_code(void **state)
{
    (void)state;
    px_error err;
    memset(&err, 0x7f, sizeof err);
    assert_int_equal(px_error_set(&err, PX_ENOENT, 12, "no element '%s' (%d)", "fakesnk", 3), PX_ENOENT);
    assert_int_equal(err.code, PX_ENOENT);
    assert_int_equal(err.position, 12);
    assert_string_equal(err.message, "no element 'fakesnk' (3)");
    assert_string_equal(err.hint, "");

    px_error_hint(&err, "did you mean '%s'?", "fakesink");
    assert_int_equal(err.code, PX_ENOENT);
    assert_int_equal(err.position, 12);
    assert_string_equal(err.hint, "did you mean 'fakesink'?");
    assert_string_equal(err.message, "no element 'fakesnk' (3)\n  hint: did you mean 'fakesink'?");

    /* A later set overwrites everything, the hint included. */
    assert_int_equal(px_error_set(&err, PX_EIO, 0, "read failed"), PX_EIO);
    assert_int_equal(err.code, PX_EIO);
    assert_int_equal(err.position, 0);
    assert_string_equal(err.message, "read failed");
    assert_string_equal(err.hint, "");

    px_error_clear(&err);
    assert_int_equal(err.code, PX_OK);
    assert_int_equal(err.position, 0);
    assert_string_equal(err.message, "");
    assert_string_equal(err.hint, "");
}

static void error_functions_accept_a_null_error(void **state)
{
    (void)state;
    assert_int_equal(px_error_set(NULL, PX_EINVAL, 3, "ignored %d", 1), PX_EINVAL);
    assert_int_equal(px_error_set(NULL, PX_OK, 0, "ok"), PX_OK);
    px_error_hint(NULL, "ignored %s", "too");
    px_error_clear(NULL);
}

static void long_error_texts_are_cut_not_overflowed(void **state)
{
    (void)state;
    struct {
        px_error err;
        unsigned char canary[16];
    } guarded;
    memset(guarded.canary, 0xa5, sizeof guarded.canary);
    char big[2 * PX_ERROR_MESSAGE_MAX];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';

    px_error_set(&guarded.err, PX_EINVAL, 0, "%s", big);
    assert_int_equal(strlen(guarded.err.message), PX_ERROR_MESSAGE_MAX - 1);
    px_error_hint(&guarded.err, "%s", big);
    assert_int_equal(strlen(guarded.err.hint), PX_ERROR_HINT_MAX - 1);
    assert_int_equal(strlen(guarded.err.message), PX_ERROR_MESSAGE_MAX - 1);

    /* A short message keeps as much of the "\n  hint: " line as fits. */
    px_error_set(&guarded.err, PX_EINVAL, 0, "short");
    px_error_hint(&guarded.err, "%s", big);
    assert_int_equal(strlen(guarded.err.message), strlen("short\n  hint: ") + PX_ERROR_HINT_MAX - 1);
    assert_memory_equal(guarded.err.message, "short\n  hint: mmm", 17);
    for (size_t i = 0; i < sizeof guarded.canary; i++)
        assert_int_equal(guarded.canary[i], 0xa5);
}

static void status_str_names_every_code(void **state)
{
    (void)state;
    assert_string_equal(px_status_str(PX_OK), "ok");
    assert_string_equal(px_status_str(PX_EINVAL), "invalid argument");
    assert_string_equal(px_status_str(PX_ENOMEM), "out of memory");
    assert_string_equal(px_status_str(PX_ENOENT), "not found");
    assert_string_equal(px_status_str(PX_EIO), "input/output error");
    assert_string_equal(px_status_str(PX_EPARSE), "syntax error");
    assert_string_equal(px_status_str(PX_ENOTSUP), "not supported by this build");
    assert_string_equal(px_status_str(PX_EAGAIN), "temporarily unavailable");
    assert_string_equal(px_status_str(PX_ESTATE), "not allowed in this state");
    assert_string_equal(px_status_str(PX_ELINK), "cannot link");
    assert_string_equal(px_status_str(PX_EFLOW), "streaming error");
    assert_string_equal(px_status_str(PX_ETIMEDOUT), "timed out");
    assert_string_equal(px_status_str(-12), "unknown error");
    assert_string_equal(px_status_str(1), "unknown error");
}

/* ---- What a pipeline logs ------------------------------------------------ */

static px_pipeline *simple_pipeline(void)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=10 ! fakesink", &err);
    if (!p)
        fail_msg("parse failed: %s", err.message);
    return p;
}

static void pipeline_at_level_3_logs_prepare_and_state_changes(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = simple_pipeline();
    configure_ok("3");
    capture_reset();
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    int prepared = capture_find(PX_LOG_INFO, "pipeline", "prepared: 2 elements, 1 sources, 1 sinks");
    int running = capture_find(PX_LOG_INFO, "pipeline", "state IDLE -> RUNNING");
    int idle = capture_find(PX_LOG_INFO, "pipeline", "state RUNNING -> IDLE");
    assert_int_equal(prepared, 0);
    assert_int_equal(running, 1);
    assert_int_equal(idle, 2);
    assert_int_equal(capture_count(), 3);

    /* Level 2, or pipeline:2 under a default of 3, keeps the pipeline quiet. */
    configure_ok("2");
    capture_reset();
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    assert_int_equal(capture_count(), 0);
    configure_ok("3,pipeline:2");
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    assert_int_equal(capture_count_category("pipeline"), 0);
    px_pipeline_free(p);
}

static void pipeline_at_level_4_logs_each_element_start(void **state)
{
    (void)state;
    if (CONFIG_PX_LOG_LEVEL < PX_LOG_DEBUG)
        skip();
    px_error err = {0};
    px_pipeline *p = simple_pipeline();
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN), PX_OK);
    configure_ok("2,pipeline:4");
    capture_reset();
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    int s0 = capture_find(PX_LOG_DEBUG, "pipeline", "fakesrc0: start done");
    int s1 = capture_find(PX_LOG_DEBUG, "pipeline", "fakesink0: start done");
    int prepared = capture_find(PX_LOG_INFO, "pipeline", "prepared: 2 elements, 1 sources, 1 sinks");
    assert_true(s0 >= 0);
    assert_true(s1 > s0);
    assert_true(prepared > s1);
    assert_true(capture_find(PX_LOG_DEBUG, "pipeline", "fakesink0: EOS") > prepared);
    px_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: nothing may log before it, or the environment is already read. */
        cmocka_unit_test(environment_is_read_on_first_use),
        cmocka_unit_test(level_2_shows_warnings_not_info),
        cmocka_unit_test(category_level_overrides_the_default),
        cmocka_unit_test(runtime_messages_follow_their_category),
        cmocka_unit_test(bad_specs_are_einval_and_keep_the_previous_configuration),
        cmocka_unit_test(category_table_holds_16_and_refuses_17),
        cmocka_unit_test(levels_above_5_clamp_and_empty_spec_restores_the_default),
        cmocka_unit_test(hook_receives_the_formatted_text_exactly),
        cmocka_unit_test(disabled_messages_do_not_evaluate_their_arguments),
        cmocka_unit_test(error_set_fills_the_error_and_returns_the_code),
        cmocka_unit_test(error_functions_accept_a_null_error),
        cmocka_unit_test(long_error_texts_are_cut_not_overflowed),
        cmocka_unit_test(status_str_names_every_code),
        cmocka_unit_test(pipeline_at_level_3_logs_prepare_and_state_changes),
        cmocka_unit_test(pipeline_at_level_4_logs_each_element_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
