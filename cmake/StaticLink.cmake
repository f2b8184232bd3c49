# Fully static linking from Debian 12's packages (WILDSIDE_STATIC=ON).
#
# Debian's CMake package files for gRPC and Abseil import only the shared
# libraries, although every one of them ships its static archive next to
# the .so. wildside_use_static_archives() points each imported target's
# location at that archive, so the normal target graph (and so link order)
# is kept while nothing dynamic is linked. Include this before find_package()
# so the modules that can be asked for archives (OpenSSL, Protobuf, ZLIB)
# are asked.

set(OPENSSL_USE_STATIC_LIBS TRUE)
set(Protobuf_USE_STATIC_LIBS ON)
set(ZLIB_USE_STATIC_LIBS ON)

# Rewrites IMPORTED_LOCATION* of every imported target in `targets` (and in
# their INTERFACE_LINK_LIBRARIES, recursively) from lib<name>.so[.N...] to
# lib<name>.a in the same directory. Fails when an archive is missing, so a
# dynamic library can never slip into the static binary unnoticed.
function(wildside_use_static_archives)
  set(queue ${ARGN})
  set(seen)
  while(queue)
    list(POP_FRONT queue tgt)
    if(NOT TARGET ${tgt} OR tgt IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${tgt})
    get_target_property(imported ${tgt} IMPORTED)
    if(NOT imported)
      continue()
    endif()
    get_target_property(type ${tgt} TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      foreach(prop IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE
                   IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_DEBUG IMPORTED_LOCATION_NOCONFIG)
        get_target_property(loc ${tgt} ${prop})
        if(loc AND loc MATCHES "^(.*/lib[^/]+)\\.so(\\.[0-9.]+)?$")
          set(archive "${CMAKE_MATCH_1}.a")
          if(NOT EXISTS "${archive}")
            message(FATAL_ERROR "WILDSIDE_STATIC: ${tgt} has no static archive (${archive})")
          endif()
          set_target_properties(${tgt} PROPERTIES ${prop} "${archive}")
        endif()
      endforeach()
    endif()
    get_target_property(deps ${tgt} INTERFACE_LINK_LIBRARIES)
    if(deps)
      foreach(d ${deps})
        if(TARGET ${d})
          list(APPEND queue ${d})
        endif()
      endforeach()
    endif()
  endwhile()
endfunction()

# Links `target` with no dynamic dependency at all: no PT_INTERP, no
# NEEDED. Archives are grouped so their mutual references resolve in any
# order; the result is checked after the link.
function(wildside_link_fully_static target)
  target_link_options(${target} PRIVATE -static -Wl,--start-group)
  target_link_libraries(${target} PRIVATE -Wl,--end-group)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-static $<TARGET_FILE:${target}>
    COMMENT "Checking that ${target} has no dynamic dependency")
endfunction()
