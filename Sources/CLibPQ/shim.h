#ifndef ANON_E2E_CLIBPQ_SHIM_H
#define ANON_E2E_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
