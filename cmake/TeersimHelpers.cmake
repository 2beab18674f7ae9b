# Compiler settings shared by every teersim target.
add_library(teersim_compile_options INTERFACE)
target_compile_options(teersim_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wformat=2 -Wimplicit-fallthrough)
if(TEERSIM_WERROR)
  target_compile_options(teersim_compile_options INTERFACE -Werror)
endif()
if(TEERSIM_SANITIZE)
  target_compile_options(teersim_compile_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(teersim_compile_options INTERFACE -fsanitize=address,undefined)
endif()

# teersim_add_library(NAME <module> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates teersim_<module> with alias teersim::<module>. Headers are included
# from the repository root ("physics/rod.h"), which keeps each include's module
# visible to the boundary check.
function(teersim_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(teersim_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(teersim::${ARG_NAME} ALIAS teersim_${ARG_NAME})
  target_include_directories(teersim_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(teersim_${ARG_NAME}
    PUBLIC ${ARG_PUBLIC_DEPS}
    PRIVATE teersim_compile_options ${ARG_PRIVATE_DEPS})
endfunction()

# teersim_add_test(NAME <test> SOURCES ... DEPS ... [LABELS ...])
function(teersim_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE teersim_compile_options ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    TEERSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TEERSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
