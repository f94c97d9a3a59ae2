# MPROC_SANITIZE=address,undefined or thread: instruments every target of the build.
set(MPROC_SANITIZE "" CACHE STRING "Sanitizers to build with (e.g. address,undefined or thread)")
if(MPROC_SANITIZE)
  add_compile_options(-fsanitize=${MPROC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${MPROC_SANITIZE})
endif()
