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
 * with a positioned px_error; nothing here allocates.
 *
 * The types are declared in every build (elements keep px_caps in their
 * state); the functions exist only with CONFIG_PX_CAPS, so a call in a
 * build without it fails to link. */

#define PX_CAPS_MAX_STRUCTS 8
#define PX_CAPS_MAX_FIELDS  64   /* over all structures */
#define PX_CAPS_MAX_VALUES  192  /* over all fields; a list holds several */
#define PX_CAPS_POOL        1024 /* bytes for names and strings */

typedef enum px_value_type {
    PX_VALUE_INT = 1,
    PX_VALUE_INT_RANGE, /* [min, max] */
    PX_VALUE_FRACTION,
    PX_VALUE_FRACTION_RANGE, /* [min, max] */
    PX_VALUE_STRING,
    PX_VALUE_BOOL,
} px_value_type;

typedef struct px_value {
    uint8_t type; /* px_value_type */
    uint16_t str; /* STRING: offset of the text in the pool */
    int32_t a, b; /* INT a; INT_RANGE [a, b]; FRACTION a/b; BOOL a */
    int32_t c, d; /* FRACTION_RANGE: [a/b, c/d] */
} px_value;

typedef struct px_caps_field {
    uint16_t name;  /* pool offset */
    uint8_t list;   /* 1: a list {...} of n values, 0: one value */
    uint8_t n;      /* values, from first */
    uint16_t first; /* index in values[] */
} px_caps_field;

typedef struct px_caps_struct {
    uint16_t media_type; /* pool offset: "video/x-raw" */
    uint16_t features;   /* pool offset of "memory:DMABuf", 0 = none (CPU memory) */
    uint8_t n_fields;
    uint8_t first_field;
} px_caps_struct;

typedef struct px_caps {
    uint8_t any;       /* ANY: accepts everything; structures are ignored */
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
/* The same structures in the same order (order is preference), each with
 * the same fields (in any order) and the same values (lists in the same order). */
PX_API bool px_caps_is_equal(const px_caps *a, const px_caps *b);

/* out = a ∩ b, structure by structure in a's order (a's preference), fields
 * present on one side only kept as they are (GStreamer semantics); list
 * entries keep a's order. EMPTY when nothing fits both. out may alias a or b.
 * PX_ENOMEM (out EMPTY) when the result does not fit. */
PX_API int px_caps_intersect(px_caps *out, const px_caps *a, const px_caps *b);
PX_API bool px_caps_can_intersect(const px_caps *a, const px_caps *b);
/* Everything sub allows is allowed by super. */
PX_API bool px_caps_is_subset(const px_caps *sub, const px_caps *super);
/* Reduces to the first structure with single values. For each field: when
 * preferred (its first structure of the same media type) has the field and
 * the two meet, the first common value in caps' order; else, for a range,
 * preferred's value clamped into it; else the first list entry. Ranges left
 * to choose from become their minimum (ints) or the value nearest to 1/1
 * (fractions). preferred may be NULL. PX_EINVAL for ANY and EMPTY. */
PX_API int px_caps_fixate(px_caps *caps, const px_caps *preferred);

/* Structure access; NULL when index >= px_caps_count() (always for ANY). */
PX_API size_t px_caps_count(const px_caps *caps);
PX_API const char *px_caps_media_type(const px_caps *caps, size_t index);
PX_API const char *px_caps_features(const px_caps *caps, size_t index); /* "" for CPU memory */
/* Field access in structure 0 (fixed caps); PX_ENOENT when missing,
 * PX_EINVAL when not a single value of that type. */
PX_API int px_caps_get_int(const px_caps *caps, const char *field, int *value);
PX_API int px_caps_get_fraction(const px_caps *caps, const char *field, px_fraction *value);
PX_API const char *px_caps_get_string(const px_caps *caps, const char *field); /* NULL when missing */
PX_API int px_caps_get_bool(const px_caps *caps, const char *field, bool *value);
/* Sets (adds or replaces) a field in every structure. PX_EINVAL for ANY, a
 * bad field name (letters, digits, _-.:+; a letter first), an empty range,
 * a denominator <= 0 or a control character in a string; PX_ENOMEM when it
 * does not fit (caps unchanged). [a, a] is stored as a. */
PX_API int px_caps_set_int(px_caps *caps, const char *field, int value);
PX_API int px_caps_set_int_range(px_caps *caps, const char *field, int min, int max);
PX_API int px_caps_set_fraction(px_caps *caps, const char *field, px_fraction value);
PX_API int px_caps_set_fraction_range(px_caps *caps, const char *field, px_fraction min, px_fraction max);
PX_API int px_caps_set_string(px_caps *caps, const char *field, const char *value);
/* A list { values[0], ... } (duplicates dropped; one value is set as itself). */
PX_API int px_caps_set_string_list(px_caps *caps, const char *field, const char *const *values, size_t n);
PX_API int px_caps_set_bool(px_caps *caps, const char *field, bool value);
/* Removes a field from every structure (converters free the fields they change). */
PX_API void px_caps_remove_field(px_caps *caps, const char *field);
/* caps = caps ∪ other: other's structures appended, except those already
 * covered by caps (ANY absorbs everything). PX_ENOMEM (caps unchanged). */
PX_API int px_caps_append(px_caps *caps, const px_caps *other);
/* Checks that caps from elsewhere (another process, a file) are well formed:
 * counts, indices and string offsets in bounds, ranges non-empty,
 * denominators positive. Every other function trusts its caps: validate
 * any px_caps that crossed a trust boundary first. */
PX_API int px_caps_validate(const px_caps *caps, px_error *err);
