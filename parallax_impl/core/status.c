/* Status codes and px_error. */

PX_API const char *px_status_str(int code)
{
    switch (code) {
    case PX_OK: return "ok";
    case PX_EINVAL: return "invalid argument";
    case PX_ENOMEM: return "out of memory";
    case PX_ENOENT: return "not found";
    case PX_EIO: return "input/output error";
    case PX_EPARSE: return "syntax error";
    case PX_ENOTSUP: return "not supported by this build";
    case PX_EAGAIN: return "temporarily unavailable";
    case PX_ESTATE: return "not allowed in this state";
    case PX_ELINK: return "cannot link";
    case PX_EFLOW: return "streaming error";
    case PX_ETIMEDOUT: return "timed out";
    default: return "unknown error";
    }
}

PX_API int px_error_set(px_error *err, int code, int position, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->position = position;
    err->hint[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

PX_API void px_error_hint(px_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
    size_t len = strlen(err->message);
    snprintf(err->message + len, sizeof err->message - len, "\n  hint: %s", err->hint);
}

PX_API void px_error_clear(px_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}
