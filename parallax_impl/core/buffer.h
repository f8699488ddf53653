/* Buffers: small handles to arena slots, passed by value.
 *
 * A px_buffer names a slot (arena + index), the valid byte range inside it
 * and the metadata that travels with the data. It is not allocated: copying
 * the struct copies the handle; px_buffer_ref/unref change the slot's
 * refcount in the arena's shared control region. */

enum {
    PX_BUFFER_FLAG_DISCONT = 1u << 0,    /* data is not contiguous with the previous buffer */
    PX_BUFFER_FLAG_DELTA_UNIT = 1u << 1, /* cannot be decoded on its own (not a keyframe) */
    PX_BUFFER_FLAG_GAP = 1u << 2,        /* no meaningful data (silence, missing frame) */
    PX_BUFFER_FLAG_HEADER = 1u << 3,     /* stream header (codec config, file header) */
    PX_BUFFER_FLAG_CORRUPTED = 1u << 4,  /* data known to be damaged */
};

#define PX_OFFSET_NONE UINT64_MAX

typedef struct px_buffer {
    px_arena *arena;   /* NULL for an empty handle */
    uint32_t slot;
    uint32_t flags;    /* PX_BUFFER_FLAG_* */
    uint8_t *data;     /* start of valid bytes in this process's mapping */
    size_t size;       /* valid bytes */
    size_t capacity;   /* bytes from data to the end of the slot */
    px_time pts;       /* presentation time, PX_TIME_NONE when unknown */
    px_time dts;       /* decode time */
    px_time duration;
    uint64_t offset;   /* media-specific offset (bytes for files, frame number for video) */
    uint64_t offset_end;
    uint64_t sequence; /* position in the stream of its source, from 0 */
} px_buffer;

/* Acquires a slot and fills a fresh handle (metadata unset, size 0). */
PX_API int px_buffer_alloc(px_arena *arena, px_buffer *out);
PX_API void px_buffer_ref(const px_buffer *buf);
/* Drops one reference; clears the handle so it cannot be unreferenced twice. */
PX_API void px_buffer_unref(px_buffer *buf);
/* Prints the bytes to stdout in GStreamer's dump format (offset, address,
 * 16 hex bytes, printable text), as fakesink dump=true does. Debugging aid:
 * it makes syscalls. */
PX_API void px_buffer_dump(const px_buffer *buf);
/* Resets metadata to "unknown" (times NONE, offsets NONE, flags 0). */
PX_API void px_buffer_reset_meta(px_buffer *buf);
