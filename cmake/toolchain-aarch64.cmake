# Cross-compiles for linux_arm64 with Debian's g++-aarch64-linux-gnu against
# the arm64 sysroot made by scripts/arm64-sysroot (Debian 12's own arm64
# packages, unpacked into a cache directory; the host's dpkg is untouched).
#
# What comes from where:
#   - the host: the compiler binaries (aarch64-linux-gnu-g++, as, ld) with
#     their private headers (arm_neon.h, stddef.h), and protoc +
#     grpc_cpp_plugin for code generation; scripts/arm64-sysroot checks they
#     are the same Debian versions as the arm64 libprotobuf and libgrpc++;
#   - the sysroot: every header and library that ends up in the binary,
#     including glibc, libstdc++ and libgcc, so the arm64 binary links the
#     same Debian package versions a native arm64 Debian 12 build would.
#
# The cross compiler searches its own copy of glibc and the kernel headers
# (/usr/aarch64-linux-gnu, from libc6-dev-arm64-cross, an older 2.36 than
# bookworm's current one) before the sysroot, so the default search paths
# are replaced: -nostdinc with the native order of include directories, and
# -B/-L so crt*.o, libc.a, libstdc++.a and libgcc*.a are the sysroot's.
#
# The sysroot path: $WILDSIDE_ARM64_SYSROOT, or the one scripts/arm64-sysroot
# would use (that script must have been run; scripts/check-arm64 does).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT DEFINED ENV{WILDSIDE_ARM64_SYSROOT})
  execute_process(
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/../scripts/arm64-sysroot --path
    OUTPUT_VARIABLE _wildside_sysroot OUTPUT_STRIP_TRAILING_WHITESPACE
    COMMAND_ERROR_IS_FATAL ANY)
  # Inherited by try_compile projects, which load this file again.
  set(ENV{WILDSIDE_ARM64_SYSROOT} "${_wildside_sysroot}")
endif()
set(_s "$ENV{WILDSIDE_ARM64_SYSROOT}")
if(NOT EXISTS "${_s}/wildside-packages.txt")
  message(FATAL_ERROR "No arm64 sysroot at ${_s}: run scripts/arm64-sysroot first")
endif()

set(CMAKE_SYSROOT "${_s}")
set(CMAKE_FIND_ROOT_PATH "${_s}")
# Libraries, headers and package files from the sysroot only; programs
# (protoc, grpc_cpp_plugin) from the host only.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE _compiler_include OUTPUT_STRIP_TRAILING_WHITESPACE
  COMMAND_ERROR_IS_FATAL ANY)
set(_triple aarch64-linux-gnu)
set(_gcc_version 12)
set(_c_includes
  -nostdinc
  -isystem ${_compiler_include}
  -isystem ${_s}/usr/include/${_triple}
  -isystem ${_s}/usr/include)
set(_cxx_includes
  -nostdinc
  -isystem ${_s}/usr/include/c++/${_gcc_version}
  -isystem ${_s}/usr/include/${_triple}/c++/${_gcc_version}
  -isystem ${_s}/usr/include/c++/${_gcc_version}/backward
  -isystem ${_compiler_include}
  -isystem ${_s}/usr/include/${_triple}
  -isystem ${_s}/usr/include)
# The sysroot's location (a per-user cache) must not reach the bytes:
# headers are recorded as /usr/include/..., as in a native build.
set(_prefix_map -ffile-prefix-map=${_s}=)
# The *_INIT flags are copied into the cache once, at the first configure;
# a new sysroot (another package list) would leave them pointing at the old
# one, and the build would silently mix the two.
if(DEFINED CACHE{CMAKE_CXX_FLAGS})
  string(FIND "$CACHE{CMAKE_CXX_FLAGS}" "${_s}/" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "The arm64 sysroot is now ${_s}, but this build tree's "
      "cached flags name another one: reconfigure with --fresh")
  endif()
endif()
string(JOIN " " CMAKE_C_FLAGS_INIT ${_c_includes} ${_prefix_map})
string(JOIN " " CMAKE_CXX_FLAGS_INIT ${_cxx_includes} ${_prefix_map})

set(_link
  -B${_s}/usr/lib/gcc/${_triple}/${_gcc_version}/
  -B${_s}/usr/lib/${_triple}/
  -L${_s}/usr/lib/gcc/${_triple}/${_gcc_version}
  -L${_s}/usr/lib/${_triple}
  -L${_s}/lib/${_triple})
string(JOIN " " CMAKE_EXE_LINKER_FLAGS_INIT ${_link})
string(JOIN " " CMAKE_SHARED_LINKER_FLAGS_INIT ${_link})

# pkg-config (used by nothing today, but by anything that calls it) sees
# only the sysroot's .pc files, with paths rewritten into the sysroot.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${_s}")
set(ENV{PKG_CONFIG_LIBDIR}
  "${_s}/usr/lib/${_triple}/pkgconfig:${_s}/usr/lib/pkgconfig:${_s}/usr/share/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})
