{
  "variables": {
    "bsq_dir": "<!(node -p \"require('path').dirname(require.resolve('better-sqlite3/package.json'))\")"
  },
  "targets": [
    {
      "target_name": "walraft_vfs",
      "sources": [
        "native/addon.c",
        "native/apply.c",
        "native/capture.c",
        "native/extension.c",
        "native/guard.c",
        "native/registry.c",
        "native/shim.c",
        "native/snapshot.c",
        "native/walfmt.c"
      ],
      "include_dirs": ["<(bsq_dir)/deps/sqlite3"],
      "defines": ["NAPI_VERSION=9", "_GNU_SOURCE"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-fvisibility=hidden"],
      "configurations": {
        "Debug": {
          "cflags": ["-O0", "-g3", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"],
          "ldflags": ["-fsanitize=address,undefined"]
        }
      }
    }
  ]
}
