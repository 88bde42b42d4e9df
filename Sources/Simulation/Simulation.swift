// The Simulation module: see README.md beside this file and ../../../shared/DESIGN.md.
