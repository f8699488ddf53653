/* Caps: what a pad can carry, in GStreamer's text form.
 *
 *   video/x-raw, format={I420,NV12}, width=[16,4096], height=[16,4096], framerate=30/1
 *   video/x-raw(memory:DMABuf), format=NV12; video/x-raw, format=I420
 *   ANY        EMPTY
 *
 * A px_caps is a plain value of fixed size (no allocation, copy with =):
 * structures (media type + optional features + fields), fields with typed
 * values (int, int range, fraction, fraction range, string, bool, or a list
 * of one of those), and a small string pool. Features carry the memory type;
 * no features means CPU memory (memfd arenas). Parsing hostile text fails
 * with a positioned px_error; nothing here allocates. */

#define PX_CAPS_MAX_STRUCTS 8
#define PX_CAPS_MAX_FIELDS 64   /* over all structures */
#define PX_CAPS_MAX_VALUES 192  /* over all fields; a list holds several */
#define PX_CAPS_POOL 1024       /* bytes for names and strings */

typedef enum px_value_type {
    PX_VALUE_INT = 1,
    PX_VALUE_INT_RANGE,      /* [min, max] */
    PX_VALUE_FRACTION,
    PX_VALUE_FRACTION_RANGE, /* [min, max] */
    PX_VALUE_STRING,
    PX_VALUE_BOOL,
} px_value_type;

typedef struct px_value {
    uint8_t type;    /* px_value_type */
    uint16_t str;    /* STRING: offset of the text in the pool */
    int32_t a, b;    /* INT a; INT_RANGE [a, b]; FRACTION a/b; BOOL a */
    int32_t c, d;    /* FRACTION_RANGE: [a/b, c/d] */
} px_value;

typedef struct px_caps_field {
    uint16_t name;   /* pool offset */
    uint8_t list;    /* 1: a list {...} of n values, 0: one value */
    uint8_t n;       /* values, from first */
    uint16_t first;  /* index in values[] */
} px_caps_field;

typedef struct px_caps_struct {
    uint16_t media_type; /* pool offset: "video/x-raw" */
    uint16_t features;   /* pool offset of "memory:DMABuf", 0 = none (CPU memory) */
    uint8_t n_fields;
    uint8_t first_field;
} px_caps_struct;

typedef struct px_caps {
    uint8_t any;  /* ANY: accepts everything; structures are ignored */
    uint8_t n_structs; /* 0 and not any: EMPTY */
    uint8_t n_fields;
    uint8_t reserved;
    uint16_t n_values;
    uint16_t pool_len;
    px_caps_struct structs[PX_CAPS_MAX_STRUCTS];
    px_caps_field fields[PX_CAPS_MAX_FIELDS];
    px_value values[PX_CAPS_MAX_VALUES];
    char pool[PX_CAPS_POOL];
} px_caps;

/* Parses text (ANY, EMPTY, or structures separated by ';'). On error
 * err->position is the 1-based column in text. Capacity overflows are
 * errors too (PX_ENOMEM, naming the limit). */
PX_API int px_caps_parse(px_caps *out, const char *text, px_error *err);
/* Canonical text: "video/x-raw, format=(string)I420, width=(int)640, framerate=(fraction)30/1".
 * Parsing it gives equal caps. PX_ENOMEM when size is too small (output
 * truncated and terminated). */
PX_API int px_caps_to_string(const px_caps *caps, char *buf, size_t size);
/* Same, without the (type) annotations: what users write. */
PX_API int px_caps_to_short_string(const px_caps *caps, char *buf, size_t size);

PX_API void px_caps_set_any(px_caps *caps);
PX_API void px_caps_set_empty(px_caps *caps);
PX_API bool px_caps_is_any(const px_caps *caps);
PX_API bool px_caps_is_empty(const px_caps *caps);
/* One structure, every field a single value (no ranges or lists). */
PX_API bool px_caps_is_fixed(const px_caps *caps);
PX_API bool px_caps_is_equal(const px_caps *a, const px_caps *b);

/* out = a ∩ b (out may alias neither). EMPTY when nothing fits both. */
PX_API int px_caps_intersect(px_caps *out, const px_caps *a, const px_caps *b);
PX_API bool px_caps_can_intersect(const px_caps *a, const px_caps *b);
/* Everything sub allows is allowed by super. */
PX_API bool px_caps_is_subset(const px_caps *sub, const px_caps *super);
/* Reduces to one structure with single values: for each field the value
 * nearest to the same field in preferred (when given and present), else
 * the first list entry, the range value nearest to... (ints: the minimum
 * that is >= preferred, or lowest; fractions: nearest), as GStreamer does. */
PX_API int px_caps_fixate(px_caps *caps, const px_caps *preferred);

/* Structure access (index < n_structs). */
PX_API size_t px_caps_count(const px_caps *caps);
PX_API const char *px_caps_media_type(const px_caps *caps, size_t index);
PX_API const char *px_caps_features(const px_caps *caps, size_t index); /* "" for CPU memory */
/* Field access in structure 0 (fixed caps); PX_ENOENT when missing,
 * PX_EINVAL when not a single value of that type. */
PX_API int px_caps_get_int(const px_caps *caps, const char *field, int *value);
PX_API int px_caps_get_fraction(const px_caps *caps, const char *field, px_fraction *value);
PX_API const char *px_caps_get_string(const px_caps *caps, const char *field); /* NULL when missing */
PX_API int px_caps_get_bool(const px_caps *caps, const char *field, bool *value);
/* Sets (adds or replaces) a field in every structure. */
PX_API int px_caps_set_int(px_caps *caps, const char *field, int value);
PX_API int px_caps_set_int_range(px_caps *caps, const char *field, int min, int max);
PX_API int px_caps_set_fraction(px_caps *caps, const char *field, px_fraction value);
PX_API int px_caps_set_string(px_caps *caps, const char *field, const char *value);
/* Removes a field from every structure (converters free the fields they change). */
PX_API void px_caps_remove_field(px_caps *caps, const char *field);
