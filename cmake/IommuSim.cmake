# iommu_sim_test(NAME LABEL SOURCES... LIBS ...)
# One Catch2 binary; every test case runs in its own process (catch_discover_tests),
# because SystemC elaborates only once per process.
# The entry point, which holds Catch2's implementation (half a minute to compile), is
# compiled once, as the object library iommu_sim_test_main, and linked into each binary.
function(iommu_sim_test name label)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT TARGET iommu_sim_test_main)
    add_library(iommu_sim_test_main OBJECT ${PROJECT_SOURCE_DIR}/tests/test_main.cpp)
    target_link_libraries(iommu_sim_test_main PUBLIC Catch2::Catch2 PkgConfig::SystemC)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} iommu_sim_test_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE IOMMU_SIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  catch_discover_tests(${name}
    TEST_PREFIX "${label}:"
    PROPERTIES LABELS ${label} ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
endfunction()

# iommu_sim_library(NAME SOURCES... DEPS ...): one library per models/ folder.
function(iommu_sim_library name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${L_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  if(IOMMU_SIM_LTO)
    # Fat objects: LTO bytecode for iommu-sim's link, machine code for every other.
    target_compile_options(${name} PRIVATE -flto=auto -ffat-lto-objects)
  endif()
  target_link_libraries(${name} PUBLIC ${L_DEPS})
endfunction()
