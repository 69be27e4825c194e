/* Know Your Rights phone scripts exported for the City's phone system
 * (phone.c): GET /api/v1/kyr/phone/{lang}.txt and {lang}.ssml. */
#ifndef HV_KYR_PHONE_H
#define HV_KYR_PHONE_H

#include <stddef.h>

#include "http/http.h"

extern const struct hv_route hv_kyr_phone_routes[];
extern const size_t hv_kyr_phone_nroutes;

#endif
