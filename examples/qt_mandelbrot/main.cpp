// A desktop app on a process pool: a Qt 6 window renders the Mandelbrot set in tiles on a
// `mproc::Pool` (spawn start method), fed by `imap_unordered` into a progress bar, with a Cancel
// button that terminates the pool. The GUI thread never waits on the pool.
//
//   example_qt_mandelbrot                        the window; Render starts again after a render
//   example_qt_mandelbrot --test-render out.png  the self-tests (self_test.hpp), run by ctest
//   example_qt_mandelbrot --test-cancel          with QT_QPA_PLATFORM=offscreen
//   example_qt_mandelbrot --test-close
#include <QApplication>
#include <QStringList>
#include <cstdio>

#include <mproc/mproc.hpp>

#include "mandelbrot_window.hpp"
#include "self_test.hpp"

int main(int argc, char** argv) {
  // First, before QApplication: a spawned pool worker re-runs this executable, and `init` runs
  // the worker loop there and never returns, so a worker never connects to a display or opens
  // a window. In the app itself it returns at once.
  mproc::init(argc, argv);
  QApplication app(argc, argv);

  QStringList args = app.arguments();
  if (args.contains("--test-render")) {
    int at = static_cast<int>(args.indexOf("--test-render"));
    if (at + 1 >= args.size()) {
      std::fprintf(stderr, "usage: %s --test-render SCREENSHOT.png\n", argv[0]);
      return 2;
    }
    return test_render(app, args[at + 1]);
  }
  if (args.contains("--test-cancel")) return test_cancel(app);
  if (args.contains("--test-close")) return test_close(app);

  MandelbrotWindow window{mandelbrot::View{}};
  window.show();
  window.start_render();
  return app.exec();
}
