# Installs the build into a scratch prefix, builds tests/consumer against it with
# find_package(mproc CONFIG), and runs the result. Run with cmake -P (see tests/CMakeLists.txt).
set(prefix "${BUILD_DIR}/consumer-test/install")
set(consumer_build "${BUILD_DIR}/consumer-test/build")
file(REMOVE_RECURSE "${BUILD_DIR}/consumer-test")
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR}/tests/consumer;-B;${consumer_build};-DCMAKE_PREFIX_PATH=${prefix};-DCMAKE_BUILD_TYPE=Debug"
    "${CMAKE_COMMAND};--build;${consumer_build}"
    "${consumer_build}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "installed package found, built and ran")
