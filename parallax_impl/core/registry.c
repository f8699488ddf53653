/* Element table: the built-ins Kconfig selected (px__builtin_classes, generated
 * by the amalgamator just above) plus classes the application registers. */

static struct {
    const px_element_class *classes[PX_REGISTRY_MAX_APP];
    _Atomic size_t count;
} px__app_registry;

static size_t px__builtin_count(void)
{
    size_t n = 0;
    while (px__builtin_classes[n])
        n++;
    return n;
}

/* All classes, unsorted: built-ins first. */
static const px_element_class *px__class_raw(size_t i)
{
    size_t nb = px__builtin_count();
    if (i < nb)
        return px__builtin_classes[i];
    i -= nb;
    return i < atomic_load(&px__app_registry.count) ? px__app_registry.classes[i] : NULL;
}

PX_API int px_register_element(const px_element_class *klass)
{
    if (!klass || !klass->name || !klass->name[0])
        return PX_EINVAL;
    if (!klass->produce && !klass->process && !klass->consume && !klass->chain)
        return PX_EINVAL;
    if (px_find_element(klass->name))
        return PX_EINVAL; /* names are unique; pick another one */
    size_t n = atomic_load(&px__app_registry.count);
    if (n == PX_REGISTRY_MAX_APP)
        return PX_ENOMEM;
    px__app_registry.classes[n] = klass;
    atomic_store(&px__app_registry.count, n + 1);
    return PX_OK;
}

PX_API const px_element_class *px_find_element(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0;; i++) {
        const px_element_class *k = px__class_raw(i);
        if (!k)
            return NULL;
        if (strcmp(k->name, name) == 0)
            return k;
    }
}

/* The i-th class in name order: counts how many sort before each one.
 * Quadratic, but the table holds tens of entries and this is for listings. */
PX_API const px_element_class *px_element_class_at(size_t i)
{
    for (size_t j = 0;; j++) {
        const px_element_class *k = px__class_raw(j);
        if (!k)
            return NULL;
        size_t before = 0;
        for (size_t m = 0; px__class_raw(m); m++)
            if (strcmp(px__class_raw(m)->name, k->name) < 0)
                before++;
        if (before == i)
            return k;
    }
}

static const char *px__nearest_element(const char *name)
{
    const char *names[256];
    size_t n = 0;
    for (const px_element_class *k; n < 256 && (k = px__class_raw(n)) != NULL; n++)
        names[n] = k->name;
    return px__nearest(name, names, n);
}
