// Gives memory the process no longer uses back to the operating system.
//
// Node has no API for either call: V8's memory reducer does the first on its
// own, but only some 10-30 s after the heap goes quiet, and nothing ever does
// the second. See docs/performance.md ("What bounds base RSS").
#include <node_api.h>
#include <v8.h>
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
  napi_property_descriptor methods[] = {
      {"lowMemoryNotification", nullptr, LowMemoryNotification, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mallocTrim", nullptr, MallocTrim, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
