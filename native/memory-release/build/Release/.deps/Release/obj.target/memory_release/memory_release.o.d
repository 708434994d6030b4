cmd_Release/obj.target/memory_release/memory_release.o := g++ -o Release/obj.target/memory_release/memory_release.o ../memory_release.cc '-DNODE_GYP_MODULE_NAME=memory_release' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-DV8_ENABLE_WEBASSEMBLY' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' '-DBUILDING_NODE_EXTENSION' -I/root/.cache/callroom/node-v24.22.3/include/node -I/root/.cache/callroom/node-v24.22.3/src -I/root/.cache/callroom/node-v24.22.3/deps/openssl/config -I/root/.cache/callroom/node-v24.22.3/deps/openssl/openssl/include -I/root/.cache/callroom/node-v24.22.3/deps/uv/include -I/root/.cache/callroom/node-v24.22.3/deps/zlib -I/root/.cache/callroom/node-v24.22.3/deps/v8/include  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -m64 -O3 -fno-omit-frame-pointer -fno-rtti -fno-exceptions -fno-strict-aliasing -std=gnu++20 -MMD -MF ./Release/.deps/Release/obj.target/memory_release/memory_release.o.d.raw   -c
Release/obj.target/memory_release/memory_release.o: ../memory_release.cc \
 /root/.cache/callroom/node-v24.22.3/include/node/node_api.h \
 /root/.cache/callroom/node-v24.22.3/include/node/js_native_api.h \
 /root/.cache/callroom/node-v24.22.3/include/node/js_native_api_types.h \
 /root/.cache/callroom/node-v24.22.3/include/node/node_api_types.h \
 /root/.cache/callroom/node-v24.22.3/include/node/node_version.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8.h \
 /root/.cache/callroom/node-v24.22.3/include/node/cppgc/common.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8config.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-array-buffer.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-local-handle.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-handle-base.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-internal.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8config.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-memory-span.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-object.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-maybe.h \
 /root/.cache/callroom/node-v24.22.3/include/node/cppgc/internal/conditional-stack-allocated.h \
 /root/.cache/callroom/node-v24.22.3/include/node/cppgc/macros.h \
 /root/.cache/callroom/node-v24.22.3/include/node/cppgc/internal/compiler-specific.h \
 /root/.cache/callroom/node-v24.22.3/include/node/cppgc/type-traits.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-persistent-handle.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-weak-callback-info.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-primitive.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-data.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-value.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-sandbox.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-traced-handle.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-platform.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-source-location.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-container.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-context.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-snapshot.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-isolate.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-callbacks.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-promise.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-debug.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-script.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-message.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-embedder-heap.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-exception.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-function-callback.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-microtask.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-statistics.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-unwinder.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-embedder-state-scope.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-date.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-extension.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-external.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-function.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-template.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-initialization.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-json.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-locker.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-microtask-queue.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-primitive-object.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-proxy.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-regexp.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-typed-array.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-value-serializer.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-version.h \
 /root/.cache/callroom/node-v24.22.3/include/node/v8-wasm.h
../memory_release.cc:
/root/.cache/callroom/node-v24.22.3/include/node/node_api.h:
/root/.cache/callroom/node-v24.22.3/include/node/js_native_api.h:
/root/.cache/callroom/node-v24.22.3/include/node/js_native_api_types.h:
/root/.cache/callroom/node-v24.22.3/include/node/node_api_types.h:
/root/.cache/callroom/node-v24.22.3/include/node/node_version.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8.h:
/root/.cache/callroom/node-v24.22.3/include/node/cppgc/common.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8config.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-array-buffer.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-local-handle.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-handle-base.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-internal.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8config.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-memory-span.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-object.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-maybe.h:
/root/.cache/callroom/node-v24.22.3/include/node/cppgc/internal/conditional-stack-allocated.h:
/root/.cache/callroom/node-v24.22.3/include/node/cppgc/macros.h:
/root/.cache/callroom/node-v24.22.3/include/node/cppgc/internal/compiler-specific.h:
/root/.cache/callroom/node-v24.22.3/include/node/cppgc/type-traits.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-persistent-handle.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-weak-callback-info.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-primitive.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-data.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-value.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-sandbox.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-traced-handle.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-platform.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-source-location.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-container.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-context.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-snapshot.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-isolate.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-callbacks.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-promise.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-debug.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-script.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-message.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-embedder-heap.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-exception.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-function-callback.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-microtask.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-statistics.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-unwinder.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-embedder-state-scope.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-date.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-extension.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-external.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-function.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-template.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-initialization.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-json.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-locker.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-microtask-queue.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-primitive-object.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-proxy.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-regexp.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-typed-array.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-value-serializer.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-version.h:
/root/.cache/callroom/node-v24.22.3/include/node/v8-wasm.h:
