# libyaml (Debian 12: libyaml-dev 0.2.5) as the imported target
# LibYAML::yaml. The package ships no CMake config, only a .pc file and
# both libyaml.so and libyaml.a; the target names the shared library like
# every other Debian package here, so that wildside_use_static_archives()
# (cmake/StaticLink.cmake) swaps in libyaml.a for the static release build
# and fails if it is missing. See docs/adr/0008-yaml-parser.md.
find_path(LIBYAML_INCLUDE_DIR yaml.h REQUIRED)
find_library(LIBYAML_LIBRARY NAMES yaml REQUIRED)
if(NOT TARGET LibYAML::yaml)
  add_library(LibYAML::yaml UNKNOWN IMPORTED)
  set_target_properties(LibYAML::yaml PROPERTIES
    IMPORTED_LOCATION "${LIBYAML_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBYAML_INCLUDE_DIR}")
endif()
