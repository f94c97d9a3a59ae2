#pragma once
// The window: the image as it fills in, a progress bar, Render and Cancel buttons, a status
// line. Rendering runs in a RenderJob (a pool driven from its own thread); its callbacks come
// back to the GUI thread as queued calls, so the event loop never blocks on the pool.
//
// No Q_OBJECT: every connection is a lambda, so the example builds without moc.
#include <QElapsedTimer>
#include <QImage>
#include <QWidget>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mandelbrot.hpp"
#include "render_job.hpp"

class QLabel;
class QProgressBar;
class QPushButton;

class MandelbrotWindow : public QWidget {
 public:
  explicit MandelbrotWindow(mandelbrot::View view, int tile_size = 64, QWidget* parent = nullptr);
  ~MandelbrotWindow() override;

  /// Starts a render (what the Render button does). `delay_ms` slows each tile down (tests).
  void start_render(int delay_ms = 0);

  const QImage& image() const { return image_; }
  QProgressBar* progress_bar() const { return progress_; }
  QPushButton* cancel_button() const { return cancel_; }
  QLabel* status_label() const { return status_; }
  bool rendering() const { return job_ != nullptr; }

  /// Called on the GUI thread as each render's pool starts and after it ended (its workers are
  /// joined by then); for the self-tests.
  std::function<void(const std::vector<int>& worker_pids)> on_started;
  std::function<void(Outcome)> on_finished;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void add_tile(const mandelbrot::Tile& tile);
  void finish(Outcome outcome, const std::string& error);

  mandelbrot::View view_;
  int tile_size_;
  QImage image_;
  QWidget* canvas_;
  QProgressBar* progress_;
  QPushButton* render_;
  QPushButton* cancel_;
  QLabel* status_;
  std::unique_ptr<RenderJob> job_;
  QElapsedTimer elapsed_;
};
