CC='gcc'
CXX='g++'
