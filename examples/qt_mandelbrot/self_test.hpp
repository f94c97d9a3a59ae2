#pragma once
// The example's own checks, run by ctest under QT_QPA_PLATFORM=offscreen (see CMakeLists.txt):
//   --test-render PNG  renders with the pool; the image must equal a single-process render, the
//                      progress bar reach 100 % and the event loop keep running (a 50 ms timer's
//                      longest gap under 500 ms); saves the window's screenshot to PNG;
//   --test-cancel      a slow render, Cancel clicked after the first tile: the UI says
//                      "Cancelled" and every worker process is gone (reaped, no zombie);
//   --test-close       a slow render, the window closed after the first tile: the app exits and
//                      every worker process is gone.
// Each returns the process exit code: 0 when every check passed.
#include <QString>

class QApplication;

int test_render(QApplication& app, const QString& screenshot_path);
int test_cancel(QApplication& app);
int test_close(QApplication& app);
