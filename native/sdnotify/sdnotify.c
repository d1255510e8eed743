/*
 * notify(socketPath, message) -> null | "error text": one sd_notify(3) datagram to the service
 * manager. Node has no Unix datagram sockets; this is the few lines of sd_notify that lockerd
 * needs (no fd passing, no vsock), without linking libsystemd. A path starting with '@' is in
 * the abstract namespace, as NOTIFY_SOCKET documents. The socket is non-blocking: a service
 * manager that does not read its queue must not stall the daemon's event loop, so a full queue
 * is an error (EAGAIN) like any other. Errors are returned, never thrown: a failed ping is for
 * the caller to log, not a reason to crash a locker. Built by `npm install` / `npm ci`
 * (node-gyp, binding.gyp at the package root), next to peercred.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <node_api.h>

/* Longest message accepted: sd_notify's are a few lines; this bounds the copy. */
#define MAX_MESSAGE 4096

static napi_value text(napi_env env, const char *s) {
  napi_value v;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

static napi_value errno_text(napi_env env, const char *what, int err) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s: %s", what, strerror(err));
  return text(env, buf);
}

/* Copies a JS string argument into buf (NUL-terminated); returns its length, or -1. */
static ssize_t string_arg(napi_env env, napi_value v, char *buf, size_t size) {
  napi_valuetype type;
  size_t len;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_string) return -1;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len >= size) return -1;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) return -1;
  return (ssize_t)len;
}

static napi_value notify(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    return text(env, "notify(socketPath, message): two strings are needed");
  }
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  ssize_t path_len = string_arg(env, argv[0], path, sizeof path);
  if (path_len < 2 || (path[0] != '/' && path[0] != '@')) {
    return text(env, "the socket path must be an absolute path or an abstract name starting with @, shorter than 108 bytes");
  }
  char *message = malloc(MAX_MESSAGE + 1);
  if (message == NULL) return text(env, "out of memory");
  ssize_t message_len = string_arg(env, argv[1], message, MAX_MESSAGE + 1);
  if (message_len <= 0) {
    free(message);
    return text(env, "the message must be a non-empty string of at most 4096 bytes");
  }

  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path, (size_t)path_len);
  socklen_t addr_len;
  if (path[0] == '@') {
    addr.sun_path[0] = '\0'; /* abstract: no terminating NUL counted */
    addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)path_len);
  } else {
    if ((size_t)path_len >= sizeof addr.sun_path) {
      free(message);
      return text(env, "the socket path is too long for a Unix socket (107 bytes at most)");
    }
    addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)path_len + 1);
  }

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    result = errno_text(env, "socket", errno);
  } else {
    ssize_t sent;
    do {
      sent = sendto(fd, message, (size_t)message_len, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) result = errno_text(env, "sendto", errno);
    else if (sent != message_len) result = text(env, "sendto: the message was cut short");
    close(fd);
  }
  free(message);
  if (result != NULL) return result;
  napi_value null_value;
  napi_get_null(env, &null_value);
  return null_value;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "notify", NAPI_AUTO_LENGTH, notify, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "notify", fn) != napi_ok) return NULL;
  return exports;
}
