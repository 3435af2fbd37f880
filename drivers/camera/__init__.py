"""Camera backends (picamera2, OpenCV V4L2/RTSP/HTTP, video and image files) behind the core's
interface in kiosk.camera; `drivers.camera.select.make_camera(settings)` picks one from camera.source."""
