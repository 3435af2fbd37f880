"""The door screen: renderer, display backends, sound cue and the `DoorScreen` that drives them.

Import the pieces from their modules (`drivers.display.screen.DoorScreen`,
`drivers.display.factory.create_display`, `drivers.display.renderer.render`); importing this
package itself loads nothing heavy.
"""
