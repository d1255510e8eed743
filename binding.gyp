{
  "targets": [
    {
      "target_name": "peercred",
      "sources": ["native/peercred/peercred.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra"]
    },
    {
      "target_name": "sdnotify",
      "sources": ["native/sdnotify/sdnotify.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
