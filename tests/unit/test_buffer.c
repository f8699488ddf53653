/* Buffer handle tests: allocation defaults, refcounts, clearing on unref. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

static int setup_arena(void **state)
{
    px_arena *a = NULL;
    px_error err = {0};
    if (px_arena_create(&a, "buffers", 4096, 4, PX_ARENA_BACKING_DEFAULT, &err) != PX_OK) {
        print_error("px_arena_create: %s\n", err.message);
        return -1;
    }
    *state = a;
    return 0;
}

static int teardown_arena(void **state)
{
    px_arena_destroy(*state);
    return 0;
}

static void assert_meta_unknown(const px_buffer *b)
{
    assert_true(b->pts == PX_TIME_NONE);
    assert_true(b->dts == PX_TIME_NONE);
    assert_true(b->duration == PX_TIME_NONE);
    assert_true(b->offset == PX_OFFSET_NONE);
    assert_true(b->offset_end == PX_OFFSET_NONE);
    assert_int_equal(b->sequence, 0);
    assert_int_equal(b->flags, 0);
}

static void assert_empty_handle(const px_buffer *b)
{
    assert_null(b->arena);
    assert_null(b->data);
    assert_int_equal(b->size, 0);
    assert_int_equal(b->capacity, 0);
    assert_meta_unknown(b);
}

/* A handle with every field set to garbage, as an uninitialised one may be. */
static px_buffer garbage_handle(void)
{
    px_buffer b;
    memset(&b, 0x5a, sizeof b);
    return b;
}

static void alloc_fills_slot_and_unknown_metadata(void **state)
{
    px_arena *a = *state;
    px_buffer b = garbage_handle();
    assert_int_equal(px_buffer_alloc(a, &b), PX_OK);
    assert_ptr_equal(b.arena, a);
    assert_true(b.slot < 4);
    assert_ptr_equal(b.data, px_arena_slot_data(a, b.slot));
    assert_int_equal(b.size, 0);
    assert_int_equal(b.capacity, px_arena_slot_size(a));
    assert_true(b.capacity >= 4096);
    assert_meta_unknown(&b);
    assert_int_equal(px_arena_refcount(a, b.slot), 1);
    memset(b.data, 0xee, b.capacity); /* the whole capacity is writable */
    px_buffer_unref(&b);
}

static void ref_and_unref_change_the_slot_refcount(void **state)
{
    px_arena *a = *state;
    px_buffer b;
    assert_int_equal(px_buffer_alloc(a, &b), PX_OK);
    uint32_t slot = b.slot;
    px_buffer copy = b; /* handles are passed by value */
    px_buffer_ref(&copy);
    px_buffer_ref(&b);
    assert_int_equal(px_arena_refcount(a, slot), 3);

    px_buffer_unref(&copy);
    assert_int_equal(px_arena_refcount(a, slot), 2);
    px_buffer_unref(&b);
    assert_int_equal(px_arena_refcount(a, slot), 1);
    assert_int_equal(px_arena_reclaim(a), 0);

    px_buffer last = {.arena = a, .slot = slot};
    px_buffer_unref(&last);
    assert_int_equal(px_arena_refcount(a, slot), 0);
    assert_int_equal(px_arena_reclaim(a), 1);
}

static void unref_clears_the_handle(void **state)
{
    px_arena *a = *state;
    px_buffer b;
    assert_int_equal(px_buffer_alloc(a, &b), PX_OK);
    b.size = 100;
    b.pts = 5 * PX_SECOND;
    b.sequence = 9;
    b.flags = PX_BUFFER_FLAG_DISCONT;
    px_buffer_unref(&b);
    assert_empty_handle(&b);
    assert_int_equal(px_arena_reclaim(a), 1);
}

static void double_unref_of_a_cleared_handle_is_harmless(void **state)
{
    px_arena *a = *state;
    px_buffer b, other;
    assert_int_equal(px_buffer_alloc(a, &b), PX_OK);
    assert_int_equal(px_buffer_alloc(a, &other), PX_OK);
    px_buffer_unref(&b);
    px_buffer_unref(&b); /* cleared: no arena, nothing to drop */
    px_buffer_unref(NULL);
    px_buffer_ref(&b);
    px_buffer_ref(NULL);
    assert_empty_handle(&b);
    assert_int_equal(px_arena_refcount(a, other.slot), 1); /* untouched */
    assert_int_equal(px_arena_reclaim(a), 1);
    px_buffer_unref(&other);
    assert_int_equal(px_arena_reclaim(a), 1);
    px_arena_stats st;
    px_arena_get_stats(a, &st);
    assert_int_equal(st.in_use, 0);
}

static void alloc_on_an_exhausted_arena_leaves_an_empty_handle(void **state)
{
    px_arena *a = *state;
    px_buffer held[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(px_buffer_alloc(a, &held[i]), PX_OK);
    px_buffer b = garbage_handle();
    assert_int_equal(px_buffer_alloc(a, &b), PX_EAGAIN);
    assert_empty_handle(&b);
    px_buffer_unref(&b); /* safe on the failed handle */
    for (int i = 0; i < 4; i++)
        px_buffer_unref(&held[i]);
    assert_int_equal(px_arena_reclaim(a), 4);

    assert_int_equal(px_buffer_alloc(NULL, &b), PX_EINVAL);
    assert_empty_handle(&b);
    assert_int_equal(px_buffer_alloc(a, NULL), PX_EINVAL);
}

static void reset_meta_forgets_metadata_but_keeps_the_data(void **state)
{
    px_arena *a = *state;
    px_buffer b;
    assert_int_equal(px_buffer_alloc(a, &b), PX_OK);
    uint8_t *data = b.data;
    b.size = 10;
    b.pts = 1;
    b.dts = 2;
    b.duration = 3;
    b.offset = 4;
    b.offset_end = 5;
    b.sequence = 6;
    b.flags = PX_BUFFER_FLAG_GAP | PX_BUFFER_FLAG_HEADER;
    px_buffer_reset_meta(&b);
    assert_meta_unknown(&b);
    assert_ptr_equal(b.arena, a);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.size, 10);
    px_buffer_reset_meta(NULL);
    px_buffer_unref(&b);
    assert_int_equal(px_arena_reclaim(a), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(alloc_fills_slot_and_unknown_metadata, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(ref_and_unref_change_the_slot_refcount, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(unref_clears_the_handle, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(double_unref_of_a_cleared_handle_is_harmless, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(alloc_on_an_exhausted_arena_leaves_an_empty_handle, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(reset_meta_forgets_metadata_but_keeps_the_data, setup_arena,
                                        teardown_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
