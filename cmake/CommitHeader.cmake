# Run at every build (platforms/cli/CMakeLists.txt): writes OUT with the commit
# `git describe --always --dirty` names, only when it changed, so that --version and a
# run directory's version.txt name the commit the binary was built from, and an
# unchanged commit rebuilds nothing.
execute_process(COMMAND git describe --always --dirty
  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE commit
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
if(failed OR NOT commit)
  set(commit unknown)
endif()
set(text "#define IOMMU_SIM_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
