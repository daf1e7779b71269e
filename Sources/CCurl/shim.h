#ifndef ANON_E2E_CCURL_SHIM_H
#define ANON_E2E_CCURL_SHIM_H
// curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are variadic, which
// Swift cannot call: one typed wrapper per argument kind.
#include <curl/curl.h>
#include <stdint.h>
#include <sys/socket.h>

static inline CURLcode anon_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode anon_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode anon_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode anon_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode anon_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode anon_curl_setopt_write(CURL *h, CURLoption o, curl_write_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode anon_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode anon_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode anon_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode anon_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// SO_RCVBUF on a transfer's new socket, before it connects (so the window it advertises follows it).
// The size travels in the callback's pointer argument as an integer: nothing to keep alive.
static int anon_curl_receive_buffer_callback(void *clientp, curl_socket_t fd, curlsocktype purpose) {
    int size = (int)(intptr_t)clientp;
    if (purpose == CURLSOCKTYPE_IPCXN) (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return CURL_SOCKOPT_OK;
}
static inline CURLcode anon_curl_set_receive_buffer(CURL *h, int size) {
    CURLcode code = curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, anon_curl_receive_buffer_callback);
    return code != CURLE_OK ? code : curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, (void *)(intptr_t)size);
}

// Macros built from other macros do not import into Swift.
static const int ANON_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const size_t ANON_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;

#endif
