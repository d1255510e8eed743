/*
 * peercred(fd) -> { pid, uid, gid }: the Unix credentials of the process at the other end of a
 * connected Unix-domain socket, from the kernel (getsockopt SO_PEERCRED). The kernel records
 * them when the client connects, so a client cannot choose what it claims to be. Node has no
 * API for this; the control socket uses it to name the technician behind each request.
 * Built by `npm install` / `npm ci` (node-gyp, binding.gyp at the package root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>

static napi_value peercred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_number ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peercred(fd): fd must be an open file descriptor (a number >= 0)");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  if (len != sizeof cred) {
    napi_throw_error(env, NULL, "SO_PEERCRED returned a short answer");
    return NULL;
  }
  napi_value result, pid, uid, gid;
  if (napi_create_object(env, &result) != napi_ok ||
      napi_create_int32(env, cred.pid, &pid) != napi_ok ||
      napi_create_uint32(env, cred.uid, &uid) != napi_ok ||
      napi_create_uint32(env, cred.gid, &gid) != napi_ok ||
      napi_set_named_property(env, result, "pid", pid) != napi_ok ||
      napi_set_named_property(env, result, "uid", uid) != napi_ok ||
      napi_set_named_property(env, result, "gid", gid) != napi_ok) {
    napi_throw_error(env, NULL, "peercred: out of memory");
    return NULL;
  }
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "peercred", NAPI_AUTO_LENGTH, peercred, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "peercred", fn) != napi_ok) return NULL;
  return exports;
}
