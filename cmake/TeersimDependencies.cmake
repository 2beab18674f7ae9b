# Every third-party dependency becomes one imported target here, so module
# CMakeLists never spell out include paths or flags. All come from Debian 12
# packages installed by scripts/install-deps.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# Bullet in double precision: only the float64 pkg-config file defines
# BT_USE_DOUBLE_PRECISION (tests/physics/precision_test.cpp asserts it).
pkg_check_modules(BULLET REQUIRED IMPORTED_TARGET bullet-float64)
add_library(teersim_dep::bullet ALIAS PkgConfig::BULLET)

# OpenSceneGraph: Debian ships pkg-config files but no CMake config.
pkg_check_modules(OSG REQUIRED IMPORTED_TARGET
  openscenegraph-osg openscenegraph-osgDB openscenegraph-osgGA
  openscenegraph-osgViewer openscenegraph-osgText openscenegraph-osgUtil)
add_library(teersim_dep::osg ALIAS PkgConfig::OSG)
find_package(OpenGL REQUIRED)  # views call glGetString directly

pkg_check_modules(LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)
add_library(teersim_dep::libusb ALIAS PkgConfig::LIBUSB)

find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(ZLIB REQUIRED)  # CRC-32 of recording chunks
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)  # the trainee database

if(TEERSIM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TEERSIM_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# umockdev: fake USB devices for the libusb tests (tests/devices).
if(TEERSIM_BUILD_TESTS)
  pkg_check_modules(UMOCKDEV REQUIRED IMPORTED_TARGET umockdev-1.0)
  add_library(teersim_dep::umockdev ALIAS PkgConfig::UMOCKDEV)
endif()
