#ifndef CCAGENTD_CCRYPT_SHIM_H
#define CCAGENTD_CCRYPT_SHIM_H

// libxcrypt (libcrypt-dev): crypt_rn and crypt_gensalt_rn, the thread-safe calls that fail
// with a null pointer instead of a "*" token.
#include <crypt.h>

// getrandom(2), which the Swift Glibc module does not export; in libc itself, nothing to link.
#include <sys/random.h>

#endif
