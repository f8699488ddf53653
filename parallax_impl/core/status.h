/* Status codes and px_error.
 *
 * Functions return 0 (PX_OK) or a negative PX_E* code. Anything that can fail
 * for a reason a user must act on also fills a px_error: the message names the
 * element, property and offending value and says what would be accepted. The
 * message is complete on its own (print it and you are done); position and
 * hint are also kept apart for programs that want them. */

enum {
    PX_OK = 0,
    PX_EINVAL = -1,      /* bad argument or property value */
    PX_ENOMEM = -2,      /* out of memory (or arena/bus capacity at prepare) */
    PX_ENOENT = -3,      /* no such element, property, pad or file */
    PX_EIO = -4,         /* read/write/open failed */
    PX_EPARSE = -5,      /* malformed pipeline description */
    PX_ENOTSUP = -6,     /* not supported by this build or element */
    PX_EAGAIN = -7,      /* try again: nothing available right now */
    PX_ESTATE = -8,      /* call not allowed in the current state */
    PX_ELINK = -9,       /* pads cannot be linked */
    PX_EFLOW = -10,      /* an element failed while streaming */
    PX_ETIMEDOUT = -11,  /* a wait ran out */
};

#define PX_ERROR_MESSAGE_MAX 1024
#define PX_ERROR_HINT_MAX 256

typedef struct px_error {
    int code;                          /* PX_E* or 0 */
    int position;                      /* 1-based column in the description, 0 = none */
    char message[PX_ERROR_MESSAGE_MAX]; /* full text, may span several lines */
    char hint[PX_ERROR_HINT_MAX];       /* the "what to change" part alone, or "" */
} px_error;

/* "invalid argument", "no such element or file", ... */
PX_API const char *px_status_str(int code);

/* Fills err (when not NULL) and returns code, so callers can
 * `return px_error_set(err, PX_EINVAL, 0, "...")`. Later calls overwrite. */
PX_API int px_error_set(px_error *err, int code, int position, const char *fmt, ...)
    PX_PRINTF(4, 5);
/* Sets the hint and appends "\n  hint: ..." to the message. */
PX_API void px_error_hint(px_error *err, const char *fmt, ...) PX_PRINTF(2, 3);
PX_API void px_error_clear(px_error *err);
