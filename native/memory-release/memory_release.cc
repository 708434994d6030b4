// Gives memory the process no longer uses back to the operating system.
//
// Node has no API for either call: V8's memory reducer does the first on its
// own, but only some 10-30 s after the heap goes quiet, and nothing ever does
// the second. See docs/performance.md ("What bounds base RSS").
#include <node_api.h>
#include <node_version.h>
#include <v8.h>
#if defined(__linux__)
#include <features.h>  // defines __GLIBC__ when the C library is glibc
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

// A full, memory-reducing collection: shrinks the young generation that start-up
// grew and returns V8's empty pages. Takes tens of milliseconds on the JS thread.
napi_value LowMemoryNotification(napi_env env, napi_callback_info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

// glibc's malloc keeps freed memory inside its heaps: only free space at the
// very top of a heap is ever returned. malloc_trim(0) also releases the free
// pages in the middle. Returns whether anything was released (false where the
// C library is not glibc).
napi_value MallocTrim(napi_env env, napi_callback_info) {
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, released, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  // N-API would load this build in any Node, but the V8 call above is only
  // known to match the headers of the Node it was compiled against.
  const napi_node_version* running = nullptr;
  if (napi_get_node_version(env, &running) != napi_ok || running->major != NODE_MAJOR_VERSION) {
    napi_throw_error(env, nullptr, "built for another major version of Node: run npm rebuild callroom-memory-release");
    return nullptr;
  }
  napi_property_descriptor methods[] = {
      {"lowMemoryNotification", nullptr, LowMemoryNotification, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mallocTrim", nullptr, MallocTrim, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
