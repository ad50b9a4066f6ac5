/* module_lifecycle.h - the module-wide start and end that YARA asks of
 * every module, for our modules, which keep no state beyond one scan:
 * MG_YARA_STATELESS_MODULE defines module_initialize and module_finalize
 * (renamed per module by YARA's MODULE_NAME) as doing nothing.  Include
 * after <yara/modules.h> and the module's MODULE_NAME. */
#ifndef MG_YARA_MODULE_LIFECYCLE_H
#define MG_YARA_MODULE_LIFECYCLE_H

#define MG_YARA_STATELESS_MODULE                                                                   \
    int module_initialize(YR_MODULE *module)                                                       \
    {                                                                                              \
        (void)module;                                                                              \
        return ERROR_SUCCESS;                                                                      \
    }                                                                                              \
    int module_finalize(YR_MODULE *module)                                                         \
    {                                                                                              \
        (void)module;                                                                              \
        return ERROR_SUCCESS;                                                                      \
    }

#endif
