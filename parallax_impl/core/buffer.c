/* Buffers: handles to arena slots. Nothing here allocates or locks. */

PX_API void px_buffer_reset_meta(px_buffer *buf)
{
    if (!buf)
        return;
    buf->flags = 0;
    buf->pts = PX_TIME_NONE;
    buf->dts = PX_TIME_NONE;
    buf->duration = PX_TIME_NONE;
    buf->offset = PX_OFFSET_NONE;
    buf->offset_end = PX_OFFSET_NONE;
    buf->sequence = 0;
}

/* An empty handle: no arena, no data, metadata unknown. */
static void px_buffer__clear(px_buffer *buf)
{
    buf->arena = NULL;
    buf->slot = 0;
    buf->data = NULL;
    buf->size = 0;
    buf->capacity = 0;
    px_buffer_reset_meta(buf);
}

PX_API int px_buffer_alloc(px_arena *arena, px_buffer *out)
{
    if (!out)
        return PX_EINVAL;
    uint32_t slot;
    int rc = arena ? px_arena_acquire(arena, &slot) : PX_EINVAL;
    if (rc != PX_OK) {
        px_buffer__clear(out); /* an empty handle: unref on it is harmless */
        return rc;
    }
    out->arena = arena;
    out->slot = slot;
    out->data = px_arena_slot_data(arena, slot);
    out->size = 0;
    out->capacity = px_arena_slot_size(arena);
    px_buffer_reset_meta(out);
    return PX_OK;
}

PX_API void px_buffer_ref(const px_buffer *buf)
{
    if (buf && buf->arena)
        px_arena_ref(buf->arena, buf->slot);
}

PX_API void px_buffer_unref(px_buffer *buf)
{
    if (!buf)
        return;
    if (buf->arena)
        px_arena_unref(buf->arena, buf->slot);
    px_buffer__clear(buf);
}

PX_API void px_buffer_dump(const px_buffer *buf)
{
    for (size_t i = 0; buf && buf->data && i < buf->size; i += 16) {
        char line[128];
        int n = snprintf(line, sizeof line, "%08zx (%p): ", i, (void *)(buf->data + i));
        for (size_t j = 0; j < 16; j++)
            n += i + j < buf->size ? snprintf(line + n, sizeof line - (size_t)n, "%02x ", buf->data[i + j])
                                   : snprintf(line + n, sizeof line - (size_t)n, "   ");
        line[n++] = ' ';
        for (size_t j = 0; j < 16; j++) {
            uint8_t c = i + j < buf->size ? buf->data[i + j] : ' ';
            line[n++] = (char)(c >= 0x20 && c < 0x7f ? c : '.');
        }
        line[n++] = '\n';
        fwrite(line, 1, (size_t)n, stdout);
    }
}
